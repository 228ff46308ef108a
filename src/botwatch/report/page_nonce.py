"""The report's Content Security Policy nonce, derived from the page itself.

Why not a random nonce: a researcher who re-runs `botwatch report` on the same study compares the
two files to see that nothing changed, and a fresh random nonce made every script tag and the CSP
line differ, so two reports of one study never matched and a real change hid among noise. The
nonce is now a hash of the page as built, so the same study gives the same file but for the line
that states when it was generated.

Why it is still safe: the page is first rendered with a random placeholder where the nonce goes
(attacker-written text cannot contain it, since it is drawn after the text was written), and the
nonce is a SHA-256 of that page with the placeholder and the generation time taken out. A post
that wanted to carry a valid `<script nonce=...>` would have to contain the hash of a page that
contains it, which no one can compute; and only the placeholder's places are replaced, never text
that merely looks like a nonce.
"""

from __future__ import annotations

import base64
import hashlib
import secrets


def placeholder() -> str:
    """A random token to render where the nonce (or the generation time) will go."""
    return "bwph" + secrets.token_hex(16)


def page_nonce(html: str, *placeholders: str) -> str:
    """The nonce for a page rendered with `placeholders` in it: 22 URL-safe characters (128 bits,
    as `secrets.token_urlsafe(16)` gave) of the SHA-256 of the page with every placeholder removed,
    so it depends on what the page says, not on the placeholders drawn or the time it was built."""
    for p in placeholders:
        html = html.replace(p, "")
    digest = hashlib.sha256(html.encode("utf-8", "surrogatepass")).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def fill(html: str, nonce_placeholder: str, time_placeholder: str, generated: str) -> str:
    """The page with its nonce derived from its content and its generation time put in."""
    nonce = page_nonce(html, nonce_placeholder, time_placeholder)
    return html.replace(nonce_placeholder, nonce).replace(time_placeholder, generated)
