"""Build the word-vector lookup of the content models (src/botwatch/content/word_vectors.npz)
from unlabelled real text in ../shared/data, with a fixed seed.

Why: the stance and sentiment models see each word as its own feature, and about 2,500 labelled
posts cannot teach them that "traitor", "treasonous" and "#lockhimup" lean the same way. Vectors
learned without labels from about a million real posts of the same kind (IRA tweets, ordinary
Brexit and GOP-debate tweets, the GE2017 Labour feed, the twarc2 samples) can.

Leakage guard: every hand-labelled post of tests/fixtures/content (every part, the frozen test
part first of all), and every exact or near copy of one (the key and word-set Jaccard >= 0.6 of
scripts/near_copies.py), is left out of the corpus, so the vectors never saw a test text.

The model is gensim's word2vec, skip-gram, 64 dimensions, 5 epochs (the defaults; chosen over
FastText CBOW with character 3-5-grams by scripts/cv_word_vectors.py: FastText's neighbours were
mostly spelling, "tories" next to "factories", skip-gram's topical, "tories" next to "snp" and
"labour"); one worker thread and a fixed seed make the run repeatable. Only the `--top` most frequent tokens are shipped, each vector scaled to unit length,
as float16 with the tokens joined by newlines (numpy only at run time: `content.embed`).

Usage: python scripts/build_word_vectors.py [--out PATH] [--dim 64] [--top 30000] [--epochs 5]
(needs ../shared/data and the `train` extra; about fifteen minutes on one busy core)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from sys import intern
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from near_copies import NearIndex  # noqa: E402

from botwatch.content.features import clean_text, tokens  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
FIX = ROOT / "tests" / "fixtures" / "content"
OUT = ROOT / "src" / "botwatch" / "content" / "word_vectors.npz"
SEED = 14


def labelled_texts() -> list[str]:
    """Every hand-labelled post text of tests/fixtures/content, whatever its part."""
    out: list[str] = []
    for f in sorted(FIX.glob("*.csv")):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            out += [r[c] for c in ("content", "text") if r.get(c)]
    for f in sorted(FIX.glob("*.jsonl")):
        for line in open(f, encoding="utf-8"):
            rec = json.loads(line)
            li = rec.get("label_input") or rec
            if li.get("text"):
                out.append(li["text"])
    return out


def corpus_texts() -> dict[str, list[str]]:
    """Distinct texts per source (English IRA tweets only: the models read English posts)."""
    import duckdb

    out: dict[str, list[str]] = {}
    con = duckdb.connect()
    ira = SHARED / "ira" / "tweets.csv.gz"
    out["ira"] = [r[0] for r in con.sql(f"select distinct content from read_csv('{ira}', all_varchar=true) where language = 'English' and content is not null order by content").fetchall()]
    brexit = SHARED / "ordinary" / "brexit-2016" / "tweets.csv.gz"
    rows = con.sql(f"select distinct text, hashtags from read_csv('{brexit}', all_varchar=true) where text is not null order by text").fetchall()
    # The scraper stripped most hashtags from the text; they survive in `hashtags` (as the sampler does).
    out["brexit-2016"] = [t + " " + " ".join(h for h in (tags or "").split() if h.lower() not in t.lower()) for t, tags in rows]
    gop = SHARED / "ordinary" / "gop-debate-2015" / "tweets.csv.gz"
    out["gop-debate-2015"] = [r[0] for r in con.sql(f"select distinct text from read_csv('{gop}', all_varchar=true) where text is not null order by text").fetchall()]
    with gzip.open(SHARED / "ge2017" / "UKLabour-May-week1.json.gz", "rt", encoding="utf-8") as fh:
        out["ge2017"] = sorted({t.get("full_text") or t.get("text") or "" for t in json.load(fh)} - {""})
    tw: set[str] = set()
    for f in sorted((SHARED / "twarc2").glob("*.jsonl.gz")):
        if f.name.startswith("users"):
            continue
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                data = rec.get("data", rec) if isinstance(rec, dict) else rec
                for t in data if isinstance(data, list) else [data]:
                    if isinstance(t, dict) and isinstance(t.get("text"), str):
                        tw.add(t["text"])
    out["twarc2"] = sorted(tw)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--top", type=int, default=30000)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--model", choices=("fasttext", "word2vec"), default="word2vec")
    ap.add_argument("--sg", type=int, default=1, help="1 skip-gram, 0 CBOW")
    ap.add_argument("--workers", type=int, default=1, help="1 for a repeatable run (more threads change the result)")
    args = ap.parse_args()
    from gensim.models import FastText, Word2Vec

    t0 = time.time()
    guard = NearIndex(labelled_texts(), wordless_near=False)  # a wordless text is kept unless a labelled one's exact copy
    sentences: list[list[str]] = []
    for src, texts in corpus_texts().items():
        kept = [t for t in texts if not guard(t)]
        print(f"{src}: {len(texts)} distinct texts, {len(texts) - len(kept)} labelled or near copies left out", flush=True)
        sentences += [[intern(w) for w in toks] for toks in (tokens(clean_text(t)) for t in kept) if len(toks) > 1]
    n_tok = sum(map(len, sentences))
    print(f"corpus: {len(sentences)} posts, {n_tok} tokens ({time.time() - t0:.0f} s)", flush=True)
    if args.model == "fasttext":
        model = FastText(vector_size=args.dim, window=5, min_count=3, sg=args.sg, min_n=3, max_n=5, bucket=400000,
                         epochs=args.epochs, seed=SEED, workers=args.workers)
    else:
        model = Word2Vec(vector_size=args.dim, window=5, min_count=3, sg=args.sg, epochs=args.epochs, seed=SEED, workers=args.workers)
    model.build_vocab(corpus_iterable=sentences)
    model.train(corpus_iterable=sentences, total_examples=len(sentences), epochs=args.epochs)
    counts = Counter(t for s in sentences for t in s)
    vocab = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if "\n" not in t][: args.top]
    vecs = np.stack([model.wv[t] for t in vocab]).astype(np.float64)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    blob = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
    np.savez_compressed(args.out, vectors=vecs.astype(np.float16), vocab=blob, seed=np.array(SEED), dim=np.array(args.dim))
    print(f"wrote {args.out}: {len(vocab)} tokens x {args.dim} ({args.out.stat().st_size / 1e6:.1f} MB; {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
