"""Who is using this session: OIDC, a trusted proxy header, or local mode (the rules).

Modes, chosen by configuration only (see README, "Identity and roles"):
1. OIDC when the secrets (`.streamlit/secrets.toml`, or `secrets.files`) have an `[auth]`
   section: the rater id is the email the provider has verified (never its subject);
2. a trusted reverse-proxy header, only when `GOLDSET_TRUST_PROXY_HEADER` names it;
3. otherwise local mode: people pick or add their name, under an "identity is not
   verified" banner; a cookie signed with a key kept beside the database keeps them
   signed in across reloads until they switch person.

In the two verified modes a person unknown to the database is added as a `rater`; roles
are only ever raised by an admin. Identity never comes from the URL or anything else the
browser chooses, so nobody can label as someone else by editing a link.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from labels.models import Rater
from labels.workspace import Workspace

if TYPE_CHECKING:
    from labels.store import Store

PROXY_HEADER_ENV = "GOLDSET_TRUST_PROXY_HEADER"
Mode = Literal["oidc", "proxy", "local"]


class IdentityError(Exception):
    """Why this session cannot be given an identity, as a sentence for the person."""


def choose_mode(auth_configured: bool, environ: Mapping[str, str]) -> Mode:
    """How this server learns who people are: configuration only, never the request.

    `auth_configured`: the secrets have an `[auth]` section (OIDC).
    """
    if auth_configured:
        return "oidc"
    if environ.get(PROXY_HEADER_ENV, "").strip():
        return "proxy"
    return "local"


def oidc_id(claims: Mapping[str, object]) -> str:
    """The rater id in an identity provider's claims: the email it has verified, in NFC.

    Only an email whose `email_verified` claim is true is trusted (an absent claim is not
    a yes). The subject (`sub`) is never used: a provider's subject can be any text, such
    as another person's rater id.
    """
    email = claims.get("email")
    ident = unicodedata.normalize("NFC", email.strip()) if isinstance(email, str) else ""
    if not ident:
        raise IdentityError(
            "Your identity provider sent no email address, so Goldset cannot tell who you "
            "are. Ask whoever runs the provider to include the email claim."
        )
    if claims.get("email_verified") not in (True, "true"):
        raise IdentityError(
            "Your identity provider has not verified your email address, so Goldset cannot "
            "tell who you are. Verify it with the provider, then sign in again."
        )
    return ident


def header_id(values: Sequence[str], header: str) -> str:
    """The rater id in a trusted proxy header: exactly one non-empty value, or a refusal.

    Two different values mean the proxy added its header next to one the browser sent;
    trusting either would let a person choose who they are.
    """
    found = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not found:
        raise IdentityError(
            f"This server expects the {header} header from its proxy and got none. "
            "Open Goldset through your team's proxy, or ask whoever runs it."
        )
    if len(found) > 1:
        raise IdentityError(
            f"The {header} header arrived with more than one value, so Goldset will not "
            "guess who you are. The proxy must replace this header, not add to it."
        )
    return found.pop()


def new_rater_id(name: str) -> str:
    """The id local mode gives a person who adds themselves: lower case, dots for spaces."""
    return ".".join(name.lower().split())


def find_rater(raters: Iterable[Rater], ident: str) -> Rater | None:
    """The rater with this id, matched exactly, else ignoring case (emails vary in case)."""
    people = list(raters)
    exact = next((r for r in people if r.id == ident), None)
    return exact or next((r for r in people if r.id.casefold() == ident.casefold()), None)


def same_rater(raters: Iterable[Rater], ident: str) -> Rater | None:
    """The rater whose id is `ident` exactly, once both are in Unicode NFC.

    Never case-folded: folding makes `straße@example.org` and `strasse@example.org` one
    person, so a verified address could sign in as someone else.
    """
    key = unicodedata.normalize("NFC", ident)
    return next((r for r in raters if unicodedata.normalize("NFC", r.id) == key), None)


def verified_rater(ws: Workspace, ident: str, name: str | None = None) -> Rater:
    """The rater a verified identity belongs to; an unknown person is added as a rater."""
    ident = unicodedata.normalize("NFC", ident)
    rater = same_rater(ws.store.raters(), ident)
    if rater is None:
        try:
            rater = Rater(id=ident, name=(name or "").strip() or ident)
        except ValidationError:
            raise IdentityError("Your identity is too long to be used as a rater id.") from None
        ws.store.upsert_rater(rater)
    if not rater.active:
        raise IdentityError(
            f"{rater.name} ({rater.id}) is not active in Goldset. Ask an admin to reactivate you."
        )
    return rater


def add_local_rater(ws: Workspace, name: str) -> Rater:
    """Local mode: add a person by name as a new rater; never take over an existing id."""
    clean = " ".join(name.split())
    if not clean:
        raise IdentityError("Type your name first.")
    taken = find_rater(ws.store.raters(), new_rater_id(clean))
    if taken is not None:
        raise IdentityError(
            f"Someone is already listed as {taken.name} ({taken.id}). "
            "Pick that name if it is you, or add your full name."
        )
    try:
        rater = Rater(id=new_rater_id(clean), name=clean)
    except ValidationError:
        raise IdentityError("That name is too long; use a shorter one.") from None
    ws.store.upsert_rater(rater)
    return rater


# -- local mode: a signed cookie keeps a person signed in across reloads ----------------

COOKIE = "goldset_local_who"
COOKIE_DAYS = 30


@cache
def cookie_key(store: Store) -> bytes:
    """The key that signs local-mode cookies for one database, kept in it (made on first use).

    Per database, so a cookie from another Goldset on this host (cookies ignore the port)
    signs nobody in here; in the database, so every server of a PostgreSQL database signs
    alike and a person moved to another server stays signed in.
    """
    return bytes.fromhex(store.secret("local_cookie_key"))


def sign_cookie(key: bytes, rater_id: str) -> str:
    """`<id>.<signature>`: the cookie value that names a local-mode person."""
    mac = hmac.new(key, rater_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{rater_id.encode('utf-8').hex()}.{mac}"


def read_cookie(key: bytes, value: str | None) -> str | None:
    """The rater id in a cookie this database signed, else None (absent, forged, other DB)."""
    if not isinstance(value, str) or "." not in value:
        return None
    try:
        rater_id = bytes.fromhex(value.split(".", 1)[0]).decode("utf-8")
    except ValueError:
        return None
    return rater_id if hmac.compare_digest(sign_cookie(key, rater_id), value) else None
