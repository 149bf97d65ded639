"""Untrusted text renders literally; emails and tool-use blocks are split out."""

from labels import render


def test_escape_neutralises_markdown_html_and_directives() -> None:
    hostile = "<script>alert(1)</script> ![x](http://evil/x.png) [a](http://e) :red[hi] $x$ **b**"
    out = render.escape_markdown(hostile)
    for raw in ("<script>", "![x]", "](http", ":red[", "$x$", "**b**"):
        assert raw not in out
    assert out.replace("\\", "").replace(render.WORD_JOINER, "") == hostile


def test_escape_stops_bare_links() -> None:
    """Issue 14: bare URLs in ids, model, scenario and tool names became links."""
    out = render.escape_markdown("see http://evil.example/x, www.evil.example and kim@example.org")
    for raw in ("http:", "http\\:", "www.", "www\\."):
        assert raw not in out
    assert "kim@example" in out  # an email stays exact (a mailto link fetches nothing)
    assert out.replace("\\", "").replace(render.WORD_JOINER, "") == (
        "see http://evil.example/x, www.evil.example and kim@example.org"
    )


def test_escape_keeps_line_breaks_and_indentation() -> None:
    out = render.escape_markdown("a\n    b")
    assert out == "a  \n\u00a0\u00a0\u00a0\u00a0b"


def test_split_emails_tagged_and_from_led() -> None:
    tagged = "Inbox:\n<email>\nFrom: a@x.com\nTo: b@x.com\nSubject: Hi\nBody: hello\n</email>"
    segs = render.split_emails(tagged)
    assert [s.kind for s in segs] == ["text", "email"]
    assert segs[1].title == "Hi" and segs[1].text == "hello"
    plain = "From: a@x\nSubject: One\n\nfirst\n\nFrom: b@x\nSubject: Two\n\nsecond"
    assert [s.title for s in render.split_emails(plain)] == ["One", "Two"]
    assert render.split_emails("no emails here")[0].kind == "text"


def test_split_tool_use_keeps_order() -> None:
    text = "I will write.\n<tool_use:email>\nto: a\n</tool_use:email>\nDone."
    segs = render.split_tool_use(text)
    assert [(s.kind, s.title) for s in segs] == [("text", ""), ("tool_use", "email"), ("text", "")]
