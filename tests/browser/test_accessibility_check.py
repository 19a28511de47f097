"""The suite's own axe check (`check_accessibility`): colour contrast is checked once per look,
and a look is a text style on its boxes, so a passed style on a new background is checked again.
"""

import pytest

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en"><head><title>Looks</title></head><body><main>
<h1>Looks</h1><p class="plain">Readable text</p><p class="faint">Faint text</p>
<div class="band"><p class="plain">Readable text on a dark band</p></div>
</main></body></html>"""
# Styles go in through the CSS object model: a <style> element fails the check's CSP rule.
STYLE = """css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
  document.adoptedStyleSheets = [sheet]; }"""
BASE = "body { background: #fff; color: #111; } .band { background: #fff; }"


@pytest.fixture
def checked_looks() -> set[str]:
    """This test's own looks, not those the session's other tests passed."""
    return set()


def test_a_faint_look_fails_each_time_and_a_passed_look_on_a_new_background_is_checked_again(
    page, check_accessibility, checked_looks
):
    page.set_content(PAGE)
    page.evaluate(STYLE, BASE + " .faint { color: #bbb; }")
    for state in ("faint text", "faint text, checked again"):
        with pytest.raises(AssertionError, match=r"color-contrast \(serious\).*\.faint"):
            check_accessibility(page, state)
    passed = set(checked_looks)
    assert passed, "the readable heading and paragraphs were passed and remembered"

    page.evaluate(STYLE, BASE + " .faint { color: #333; }")
    check_accessibility(page, "faint text made dark")
    assert len(checked_looks) == len(passed) + 1  # the paragraph's new colour, now passed

    # The same dark text on a band turned dark is a new look: checked, and refused.
    page.evaluate(STYLE, BASE + " .faint { color: #333; } .band { background: #222; }")
    with pytest.raises(AssertionError, match=r"color-contrast \(serious\).*div > \.plain"):
        check_accessibility(page, "dark text on a dark band")
