#!/usr/bin/env python
"""Measure the behavioural origin likelihood ratios on the DEVELOPMENT part only.

    PYTHONPATH=src .venv/bin/python scripts/fit_origin_behaviour.py [--work /tmp/origin-val]

Uses the study `validate_origin.py` builds (IRA cut to 300 posts per handle, ordinary accounts as
v1.1). Accounts in the frozen test part (`validation.split_of`) are skipped before anything is
computed. Russia-run = IRA handles (Russian-language and posing), ordinary = brexit-2016 and
gop-debate-2015 accounts. Writes src/botwatch/accounts/data/origin_behaviour_lr.json (see
`origin_signals` for what each number means; `text_pool` for `origin_textpool`) and prints the
figures behind it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_origin_shifts import fit as fit_shifts  # noqa: E402
from validate_origin import REPO, groups_and_splits, prepare  # noqa: E402

from botwatch import open_study  # noqa: E402
from botwatch.accounts import origin_shifts, origin_signals, origin_textpool  # noqa: E402
from botwatch.accounts.gazetteer import countries_in_location  # noqa: E402
from botwatch.accounts.origin import codes, prior  # noqa: E402
from botwatch.accounts.origin_behaviour import account_posts, behaviour_of  # noqa: E402
from botwatch.accounts.circadian import fit_hours, fit_utc_offset, hour_counts  # noqa: E402
from botwatch.accounts.features import build  # noqa: E402
from botwatch.accounts.origin import origin_posterior  # noqa: E402
from botwatch.accounts.scoring import origin_inputs  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

OUT = REPO / "src" / "botwatch" / "accounts" / "data" / origin_signals.LR_FILE
HOME = "US"
CAL_EDGES = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0001)


def fit_shift(pairs: list[tuple[float, float]], mu: float) -> dict[str, float]:
    """Maximum a-posteriori (eps, tau) of the shift mixture (Beta(2,2) prior on eps)."""
    d = np.array([p[0] for p in pairs])
    sd = np.array([p[1] for p in pairs])
    best = (-math.inf, 0.0, 0.0)
    for eps in np.arange(0.02, 0.96, 0.02):
        for tau in np.arange(0.0, 1.55, 0.05):
            dens = (1 - eps) * norm.pdf(d, mu, np.sqrt(sd**2 + tau**2)) + eps / origin_signals.SHIFT_RANGE_H
            ll = float(np.log(dens).sum()) + math.log(eps) + math.log(1 - eps)
            if ll > best[0]:
                best = (ll, float(eps), float(tau))
    return {"eps": round(best[1], 3), "tau": round(best[2], 3), "accounts": len(pairs), "mu": mu}


def beta_binomial(counts: list[tuple[int, int]]) -> dict[str, float]:
    """Method-of-moments mean and intra-account correlation of article rates."""
    k = np.array([c[0] for c in counts], float)
    n = np.array([c[1] for c in counts], float)
    m = k.sum() / n.sum()
    var = float(np.var(k / n))
    inv = float(np.mean(1 / n))
    rho = (var / (m * (1 - m)) - inv) / (1 - inv)
    return {"mean": round(float(m), 5), "rho": round(float(min(max(rho, 1e-4), 0.5)), 5), "accounts": len(counts)}


def overlap(x: np.ndarray, kinds: list[str], hours: list[list[int]], y: np.ndarray) -> dict[str, float | int]:
    """How much of what `office_hours` says the circadian `hours` item and the daylight-saving
    shift already say: Pearson correlations of the log-ratios (Russia against the home country)
    over the development accounts that have both items, and the accounts behind each."""
    from botwatch.accounts.origin import hours_vector

    j = kinds.index(origin_shifts.KIND)  # x[:, j] is against the prior-weighted other countries
    cs = codes()
    iru, ihome = cs.index("RU"), cs.index(HOME)
    circ = np.zeros(len(hours))
    for i, h in enumerate(hours):
        fit = fit_hours(tuple(h)) if sum(h) else None
        if fit is not None and fit.informative and fit.best_offset is not None and x[i, j] != 0:
            v = np.log(hours_vector(fit.probabilities, None))
            circ[i] = v[iru] - v[ihome]
    out: dict[str, float | int] = {}
    for name, col in (("hours", circ), ("dst_shift", x[:, kinds.index("dst_shift")]), ("holidays_ru", x[:, kinds.index("holidays_ru")])):
        both = (x[:, j] != 0) & (col != 0)
        out[f"corr_{name}"] = round(float(np.corrcoef(x[both, j], col[both])[0, 1]), 3) if both.sum() > 2 else 0.0
        out[f"accounts_{name}"] = int(both.sum())
    has = x[:, j] != 0
    out["accounts"] = int(has.sum())
    out["median_llr_russia_run"] = round(float(np.median(x[has & (y == 1), j])), 3)
    out["median_llr_ordinary"] = round(float(np.median(x[has & (y == 0), j])), 3)
    return out


OFFICE_BAND_MIN = 5  # accounts of each group (Russia-run, ordinary) a band of the office_hours raw ratio needs


def office_lr_map(raw: np.ndarray, russia_run: np.ndarray, min_each: int = OFFICE_BAND_MIN) -> dict:
    """The `office_hours` item's measured likelihood ratio (`origin_shifts.measured_log_ratio`):
    development accounts with the item, sorted by their raw log-ratio of Russia, cut into bands
    from the top, each closed once it holds at least `min_each` Russia-run and `min_each` ordinary
    accounts (the rest joins the lowest band); per band the share of all Russia-run accounts over
    the share of all ordinary ones (half-count smoothing), made non-decreasing in the raw ratio by
    isotonic regression weighted by the band's accounts. Stored: each band's median raw ratio and
    log-ratio, so the item is interpolated between them and held at the end bands: it never counts
    more (or less) than a band of real accounts showed."""
    order = np.argsort(-raw, kind="stable")
    s, y = raw[order], russia_run[order].astype(bool)
    bands: list[tuple[int, int]] = []
    start = 0
    n_ru = n_o = 0
    for i in range(len(s)):
        n_ru += int(y[i])
        n_o += int(not y[i])
        if n_ru >= min_each and n_o >= min_each:
            bands.append((start, i + 1))
            start, n_ru, n_o = i + 1, 0, 0
    if start < len(s):
        if bands:
            bands[-1] = (bands[-1][0], len(s))
        else:
            bands.append((start, len(s)))
    bands = bands[::-1]  # lowest raw ratio first
    tot_ru, tot_o, k = int(y.sum()), int((~y).sum()), len(bands)
    med, lr, ru_k, o_k = [], [], [], []
    for a, b in bands:
        kr, ko = int(y[a:b].sum()), int((~y[a:b]).sum())
        med.append(float(np.median(s[a:b])))
        lr.append(math.log((kr + 0.5) / (tot_ru + 0.5 * k)) - math.log((ko + 0.5) / (tot_o + 0.5 * k)))
        ru_k.append(kr)
        o_k.append(ko)
    iso = IsotonicRegression(increasing=True).fit(np.arange(k), lr, sample_weight=[a + b for a, b in zip(ru_k, o_k)])
    fitted = iso.predict(np.arange(k))
    return {"raw": [round(v, 4) for v in med], "log_ratio": [round(float(v), 4) for v in fitted], "log_ratio_band": [round(v, 4) for v in lr],
            "russia_run": ru_k, "ordinary": o_k, "min_each": min_each, "max_ratio": round(float(math.exp(fitted.max())), 2),
            "min_ratio": round(float(math.exp(fitted.min())), 4)}


def _raw_ru(inp) -> float:  # noqa: ANN001
    """Unrounded, uncalibrated P(Russia) (the result keeps only probabilities >= 0.005)."""
    from botwatch.accounts.origin import evidence_vectors, prior

    logp = np.log(prior(HOME))
    for _, v, _ in evidence_vectors(inp, frozenset(), HOME):
        logp += np.log(v)
    p = np.exp(logp - logp.max())
    return float(p[codes().index("RU")] / p.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    args = ap.parse_args()
    study_path = prepare(args.data, args.work)
    office = fit_shifts(study_path, args.data)  # the office-hours profiles first: the slopes and calibration use them
    print(f"office_hours profiles: {office['counts']}; concentration office {office['office']['alpha']}, human {office['human']['alpha']}")
    with open_study(study_path, read_only=True) as st:
        posts = list(account_posts(st.con))
        acc = st.con.execute("SELECT account_id, location, extra FROM accounts").fetchall()
    gs = dict(zip([p[1] for p in posts], groups_and_splits(args.data, [p[1] for p in posts])))
    dev = [(gs[a][0] != GROUP_ORDINARY, behaviour_of(t, x)) for _, a, t, x in posts if gs[a][0] is not None and gs[a][1] == "dev"]
    with open_study(study_path, read_only=True) as st:
        counts = origin_shifts.shift_counts(st)
    dev_hours = [hour_counts([x.hour for x in t]) for _, a, t, _x in posts if gs[a][0] is not None and gs[a][1] == "dev"]
    dev_counts = [counts.get((p, a)) for p, a, _t, _x in posts if gs[a][0] is not None and gs[a][1] == "dev"]
    # How often the posting-hours fit lands near the truth, on accounts known to be run from Moscow
    # that do not pose (Russian-language IRA): Moscow is UTC+3 (UTC+4 from 2011 to 2014).
    near = far = 0
    for _, a, t, _x in posts:
        if gs[a] == (GROUP_RU_LANG, "dev"):
            fit = fit_utc_offset(hour_counts([x.hour for x in t]))
            if fit.informative and fit.best_offset is not None:
                near += 2 <= fit.best_offset <= 4
                far += not 2 <= fit.best_offset <= 4
    miss = far / (near + far)
    # Language-detector confusion: in accounts whose posts are mostly tagged Russian, the share
    # tagged as another Cyrillic language (Russia-run accounts: their text is Russian).
    from botwatch.accounts.origin import CYRILLIC_CONFUSABLE
    with open_study(study_path, read_only=True) as st:
        tags = st.con.execute("SELECT account_id, lang, count(*) FROM posts GROUP BY ALL").fetchall()
    per: dict[str, dict[str, int]] = {}
    for a, lang, n in tags:
        per.setdefault(a, {})[lang or ""] = n
    conf_k = conf_n = 0
    for a, ls in per.items():
        tot = sum(ls.values())
        if gs.get(a, (None, ""))[1] == "dev" and gs[a][0] is not None and tot >= 20 and ls.get("ru", 0) >= tot / 2:
            conf_k += sum(n for lang, n in ls.items() if lang in CYRILLIC_CONFUSABLE)
            conf_n += tot
    hours_floor = min(1.0, max(0.05, (miss / 21) / ((1 - miss) / 3)))
    ru = [b for y, b in dev if y]
    od = [b for y, b in dev if not y]
    print(f"development part: {len(ru)} Russia-run (IRA) and {len(od)} ordinary accounts with posts")
    par: dict = {"measured_on": "development part of validation.split_of; Russia-run = IRA handles (Russian-language and posing), ordinary = brexit-2016 + gop-debate-2015"}
    par["dst_shift"] = {
        "russia": fit_shift([(b.shift.shift_h, b.shift.sd_h) for b in ru if b.shift], 0.0),
        "ordinary": fit_shift([(b.shift.shift_h, b.shift.sd_h) for b in od if b.shift], 1.0),
    }
    def holidays(bs: list) -> tuple[float, float]:  # noqa: ANN001
        """Pooled observed/expected ratio and the moment estimate of the negative-binomial size."""
        hs = [b.holidays for b in bs if b.holidays and b.holidays.ru_expected > 0]
        o = np.array([h.ru_observed for h in hs], float)
        e = np.array([h.ru_expected for h in hs], float)
        r = (o.sum() + 0.5) / (e.sum() + 0.5)
        mu = r * e
        excess = float(((o - mu) ** 2 - mu).sum())
        size = float((mu**2).sum() / excess) if excess > 0 else 1e3
        return round(float(r), 4), round(min(size, 1e3), 4)
    (r_ru, k_ru), (r_od, k_od) = holidays(ru), holidays(od)
    par["holidays_ru"] = {"rho_russia": r_ru, "k_russia": k_ru, "rho_ordinary": r_od, "k_ordinary": k_od}
    art = lambda bs: [(b.transfer.articles, b.transfer.words) for b in bs if b.transfer.words >= origin_signals.MIN_ARTICLE_WORDS]  # noqa: E731
    par["articles"] = {"russia": beta_binomial(art(ru)), "ordinary": beta_binomial(art(od))}
    def mixed(bs: list) -> tuple[float, int, int]:  # noqa: ANN001
        base = [b for b in bs if b.transfer.words >= origin_signals.MIN_ARTICLE_WORDS]
        k = sum(b.transfer.mixed_words > 0 for b in base)
        return (k + 0.5) / (len(base) + 1), k, len(base)
    (s_ru, k_ru, n_ru), (s_od, k_od, n_od) = mixed(ru), mixed(od)
    par["mixed_letters"] = {"share_russia": round(s_ru, 5), "share_ordinary": round(s_od, 6), "counts": [k_ru, n_ru, k_od, n_od]}
    # Profile claims: how often the election's country is named, by Russia-run and by local accounts.
    claim = {"ru": [0, 0], "local": [0, 0]}
    region = [0, 0]
    for aid, loc, extra in acc:
        g = gs.get(aid)
        if g is None or g[0] is None or g[1] != "dev":
            continue
        reg = json.loads(extra).get("region") if isinstance(extra, str) and extra else None
        text = loc or (reg if reg and reg.lower() != "unknown" else None)
        named = countries_in_location(text) if text else {}
        if g[0] != GROUP_ORDINARY:
            claim["ru"][0] += HOME in named
            claim["ru"][1] += 1
            if reg and reg.lower() != "unknown" and countries_in_location(reg):
                region[0] += "RU" in countries_in_location(reg)
                region[1] += 1
        elif aid.startswith("gop-"):  # the US archive: accounts that are local to a US election
            claim["local"][0] += HOME in named
            claim["local"][1] += 1
    p_ru, p_local = claim["ru"][0] / claim["ru"][1], claim["local"][0] / claim["local"][1]
    par["profile"] = {
        "home_claim_floor_ru": round(min(1.0, p_ru / p_local), 4),
        "home_claim_counts": {"russia_run": claim["ru"], "local_us": claim["local"]},
        "region_floor": round(max(0.01, 1 - region[0] / region[1]), 4),
        "region_counts": {"names_russia": region[0], "with_region": region[1]},
        "hours_floor": round(hours_floor, 4),
        "cyrillic_tag_confusion": round(conf_k / conf_n, 4),
        "cyrillic_tag_counts": [conf_k, conf_n],
        "hours_counts": {"fit_within_1h_of_moscow": near, "fit_elsewhere": far},
    }
    par["slopes"] = {}
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    origin_signals.parameters.cache_clear()
    # Calibration slopes: logistic regression of Russia-run on the raw log-ratios (Russia vs home).
    kinds = ["dst_shift", "holidays_ru", "articles", "mixed_letters", origin_shifts.KIND]
    cs = codes()
    iru, ihome = cs.index("RU"), cs.index(HOME)
    X = np.zeros((len(dev), len(kinds)))
    others = np.array([i for i in range(len(cs)) if i != iru])
    log_prior_others = np.log(prior(HOME)[others] / prior(HOME)[others].sum())
    y = np.array([int(r) for r, _ in dev])
    for i, (_, b) in enumerate(dev):
        for kind, v in origin_signals.raw_items(b, cs).items():
            X[i, kinds.index(kind)] = v[iru] - v[ihome]
    j = kinds.index(origin_shifts.KIND)
    for i, c in enumerate(dev_counts):
        v = origin_shifts.raw_item(c, cs)
        if v is not None:  # against the other countries as the prior weighs them (its vector differs between them)
            X[i, j] = v[iru] - float(logsumexp(v[others] + log_prior_others))
            assert abs(X[i, j] - origin_shifts.russia_log_ratio(v, cs)) < 1e-9  # the item looks its ratio up by the same number
    # The office item's ratio as measured against ordinary accounts (not the profiles' raw ratio,
    # which grows past a million with the posts): bands of the raw ratio, development part only.
    has_office = X[:, j] != 0
    par["office_hours_lr"] = office_lr_map(X[has_office, j], y[has_office])
    print(f"office_hours measured: {par['office_hours_lr']}")
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    origin_signals.parameters.cache_clear()
    X[has_office, j] = np.interp(X[has_office, j], par["office_hours_lr"]["raw"], par["office_hours_lr"]["log_ratio"])
    lr = LogisticRegression(C=1e4, max_iter=2000).fit(X, y)
    par["office_hours_overlap"] = overlap(X, kinds, dev_hours, y)
    print(f"office_hours against what else reads the hours (development part): {par['office_hours_overlap']}")
    slopes = {k: round(float(min(max(c, 0.0), 1.0)), 4) for k, c in zip(kinds, lr.coef_[0])}
    par["slopes"] = slopes
    par["slopes_raw"] = {k: round(float(c), 4) for k, c in zip(kinds, lr.coef_[0])}
    par["items_present"] = {k: int((X[:, j] != 0).sum()) for j, k in enumerate(kinds)}
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    origin_signals.parameters.cache_clear()
    # Calibration of P(Russia): isotonic (monotone) map of the uncalibrated posterior, fitted on
    # the development accounts the accounts stage scores (accounts with no evidence left out).
    with open_study(study_path, read_only=True) as st:
        data = build(st, load_election("us-2016"))
    ids = data.features["account_id"].tolist()
    z, t = [], []
    for aid, inp in zip(ids, origin_inputs(data)):
        g = gs.get(aid)
        if g is None or g[0] is None or g[1] != "dev":
            continue
        res = origin_posterior(inp, home=HOME, calibrate=False)
        if res.country is None:
            continue
        p_ru = float(min(max(_raw_ru(inp), 1e-12), 1 - 1e-12))
        z.append(p_ru)
        t.append(int(g[0] != GROUP_ORDINARY))
    # Binned first (so no step rests on a handful of accounts), then made monotone by isotonic
    # regression over the bins weighted by their size; P' is interpolated between bin centres.
    zz, tt = np.array(z), np.array(t)
    xs, ys, ns = [], [], []
    for lo, hi in zip(CAL_EDGES[:-1], CAL_EDGES[1:]):
        m = (zz >= lo) & (zz < hi)
        if m.sum() >= 10:
            xs.append(float(zz[m].mean()))
            ys.append(float((tt[m].sum() + 0.5) / (m.sum() + 1)))
            ns.append(int(m.sum()))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0).fit(xs, ys, sample_weight=ns)
    par["calibration"] = {"x": [round(v, 6) for v in xs], "y": [round(float(v), 5) for v in iso.predict(xs)], "bin_accounts": ns,
                          "russia_share": round(sum(t) / len(t), 4), "accounts": len(t)}
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    origin_signals.parameters.cache_clear()
    par["text_pool"] = fit_text_pool(study_path, ids, data, gs)
    OUT.write_text(json.dumps(par, indent=1), encoding="utf-8")
    print(json.dumps(par, indent=1))
    print(f"wrote {OUT}")


def fit_text_pool(study_path: Path, ids: list[str], data, gs: dict) -> dict:  # noqa: ANN001
    """The weight of the neighbours' pooled evidence (`origin_textpool`), development part only: a
    logistic regression of "run from Russia" on the account's own log-ratio of Russia (calibrated,
    against the calibration mix) and its neighbours' mean, over development accounts that have
    both; the neighbours' coefficient clipped to [0, 1] as the behavioural slopes are. Only
    development accounts enter the fit, as neighbours too: a pair with an end in the frozen test
    part is dropped before the neighbours' means are taken (their labels were never read, but their
    evidence moved the development accounts' means, so the test part shaped the slope)."""
    from botwatch.accounts.origin_batch import origin_posteriors

    with open_study(study_path, read_only=True) as st:
        nb = origin_textpool.neighbours(st)
    keys = list(zip(data.features["platform"].tolist(), ids))
    at = {k: i for i, k in enumerate(keys)}
    def dev(a: str) -> bool:
        return gs.get(a, (None, ""))[1] == "dev"

    pairs = [(at[(p, a)], at[(p, b)]) for p, a, b in zip(nb.platform, nb.account_id, nb.other_id) if dev(a) and dev(b)]
    src = [i for i, _ in pairs]
    dst = [j for _, j in pairs]
    res = origin_posteriors(origin_inputs(data), home=HOME)
    base = float(origin_signals.parameters()["calibration"]["russia_share"])
    p = np.array([np.nan if r.p_russia is None or r.country is None else r.p_russia for r in res])
    mean, count = origin_textpool.neighbour_mean(p, src, dst, base)
    own = origin_textpool._logit(np.nan_to_num(p, nan=base)) - origin_textpool._logit(np.float64(base))
    sel = [i for i, a in enumerate(ids) if count[i] > 0 and gs.get(a, (None, ""))[0] is not None and gs[a][1] == "dev"]
    y = np.array([int(gs[ids[i]][0] != GROUP_ORDINARY) for i in sel])
    lr = LogisticRegression(C=1e4, max_iter=2000).fit(np.c_[own[sel], mean[sel]], y)
    coef = float(lr.coef_[0][1])
    out = {"slope": round(min(max(coef, 0.0), 1.0), 4), "slope_raw": round(coef, 4), "own_coef": round(float(lr.coef_[0][0]), 4),
           "min_shared_texts": origin_textpool.MIN_SHARED, "max_accounts_per_text": origin_textpool.MAX_ACCOUNTS,
           "dev_accounts": len(sel), "dev_russia_run": int(y.sum()), "dev_ordinary": int(len(y) - y.sum())}
    return out


if __name__ == "__main__":
    main()
