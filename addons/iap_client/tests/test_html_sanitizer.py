"""The provider's credit template is shown in our UI: only harmless HTML survives."""
from odoo.addons.iap_client.tools.html_sanitizer import sanitize_html


def test_presentational_html_is_kept():
    html = '<div class="offer"><h2>Library ISBN</h2><p>One <strong>credit</strong> per book</p><br></div>'
    assert sanitize_html(html) == html


def test_scripts_styles_and_their_content_are_dropped():
    assert sanitize_html("<p>a<script>alert(1)</script>b<style>p{}</style>c</p>") == "<p>abc</p>"


def test_event_handlers_and_unknown_attributes_are_dropped():
    assert sanitize_html('<p onclick="steal()" style="x" class="c">t</p>') == '<p class="c">t</p>'


def test_links_must_be_http_and_images_https():
    html = ('<a href="javascript:steal()">x</a><a href="https://iap.example/buy">buy</a>'
            '<img src="http://tracker/p.png"><img src="https://cdn.example/c.png" alt="cover">')
    assert sanitize_html(html) == ('<a>x</a><a href="https://iap.example/buy">buy</a><img>'
                                   '<img src="https://cdn.example/c.png" alt="cover">')


def test_text_is_escaped_and_unknown_tags_vanish():
    assert sanitize_html("<iframe src=x></iframe><form>1 &lt; 2 &amp; <b>3</b></form>") == "1 &lt; 2 &amp; <b>3</b>"


def test_anything_but_text_gives_nothing():
    assert sanitize_html(None) == "" and sanitize_html(b"<p>") == ""
