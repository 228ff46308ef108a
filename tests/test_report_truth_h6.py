"""The report read as a journalist would, on @UKLabour's first week of May 2017
(shared/data/ge2017/UKLabour-May-week1.json.gz, uk-ge2017), set against `botwatch explain` and the
study's own tables: each test holds one place where the report said more, or other, than they."""

from __future__ import annotations


def test_the_top_tables_origin_cell_keeps_a_lead_that_is_mostly_the_prior(tmp_path) -> None:
    """@KeeleyMP: "GB (0.93)" over "profile time zone 'Amsterdam' is in NL" and "interface language
    'en' …", as if its evidence had placed it in GB; `botwatch explain` says the 0.93 is mostly the
    study's prior (its own evidence moves GB's share only from 97% to 96%)."""
    import json

    import pyarrow as pa

    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    prior = ("most likely GB (p=0.93), mostly the study's prior: little evidence of its own for GB among the countries other than "
             "Russia (the study's mix gives GB 97% of its accounts not run from Russia before any evidence; this account's own "
             "evidence moves that only to 96%); prior gave GB 30% before any evidence")
    keeley = [prior, "profile time zone 'Amsterdam' is in NL (×50 against countries it does not name)",
              "interface language 'en' is spoken in US, GB, CA, AU, IE and 9 more (×2.5)", "calibration …"]
    own = ["most likely GB (p>0.99); prior gave GB 30% before any evidence", "profile time zone 'London' is in GB (×50 …)",
           "interface language 'en' is spoken in US, GB, CA, AU, IE and 9 more (×2.5)", "calibration …"]
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"] * 2, "account_id": ["1", "2"], "handle": ["KeeleyMP", "UKLabour"]}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * 2, "account_id": ["1", "2"], "bot_probability": [0.42, 0.06], "origin_country": ["GB", "GB"],
            "origin_probability": [0.93, 0.999], "n_posts": pa.array([0, 110], pa.int64()), "bot_evidence": ["[]", "[]"],
            "origin_evidence": [json.dumps(keeley), json.dumps(own)]}))
        top = {r["handle"]: r["origin_evidence"] for r in _top_accounts(st)}
    finally:
        st.close()
    assert top["KeeleyMP"][0].startswith("mostly the study's prior: little evidence of its own for GB"), top["KeeleyMP"]
    assert top["KeeleyMP"][1:] == keeley[1:3]
    # A lead of the account's own evidence: the strongest two items, as before.
    assert top["UKLabour"] == own[1:3]
