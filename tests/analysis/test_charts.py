"""The charts are inlined in pages under `style-src 'self'`: no <style>, no style attribute,
no script; still well-formed SVG with its colours."""

from lxml import etree

from casemgr.analysis import charts

RESULTS = {
    "volumes": {
        "per_day": [{"day": "2026-01-01", "requests": 5}, {"day": "2026-01-02", "requests": 9}],
        "top_accounts": [
            {"account": "ring-1", "requests": 9, "per_day": [{"day": "2026-01-02", "requests": 9}]},
            {"account": "<script>", "requests": 5, "per_day": []},
        ],
    },
    "flagged_accounts": ["ring-1"],
    "measure": "ngram_jaccard",
    "per_pair": [
        {"pair": 1, "theirs": {"ngram_jaccard": 0.8}, "control": {"ngram_jaccard": 0.2}},
        {"pair": 2, "theirs": {"ngram_jaccard": 0.7}},
    ],
}


def test_every_chart_draws_with_attributes_a_strict_csp_allows():
    for draw in (charts.daily_volume, charts.top_accounts, charts.similarity):
        svg = draw(RESULTS)
        root = etree.fromstring(svg.encode())  # duplicate attributes would not parse
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert not root.xpath("//*[@style]") and "<style" not in svg and "<script" not in svg
        assert root.xpath(f"//*[@fill='{charts.FLAGGED}']"), draw.__name__
