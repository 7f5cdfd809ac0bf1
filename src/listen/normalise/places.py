"""Datelines, and US states as AP style abbreviates them: "Monroe, La.", "Sen. Jones, D-Mass.".

A newsreader says the state: "Monroe, Louisiana", "Senator Jones, Democrat of Massachusetts".
An abbreviation is read as a state only where AP puts one: after a place and a comma, or after
a party's letter and a hyphen, so "La", "Pa" and "Miss" stay what they are elsewhere.
"""

from __future__ import annotations

import re

from listen.normalise.numbers import digits
from listen.normalise.rule import Rule, keep_final_period

__all__ = ["RULES"]

_AP_STATES = {
    "Ala.": "Alabama",
    "Ariz.": "Arizona",
    "Ark.": "Arkansas",
    "Calif.": "California",
    "Colo.": "Colorado",
    "Conn.": "Connecticut",
    "Del.": "Delaware",
    "Fla.": "Florida",
    "Ga.": "Georgia",
    "Ill.": "Illinois",
    "Ind.": "Indiana",
    "Kan.": "Kansas",
    "Ky.": "Kentucky",
    "La.": "Louisiana",
    "Md.": "Maryland",
    "Mass.": "Massachusetts",
    "Mich.": "Michigan",
    "Minn.": "Minnesota",
    "Miss.": "Mississippi",
    "Mo.": "Missouri",
    "Mont.": "Montana",
    "Neb.": "Nebraska",
    "Nev.": "Nevada",
    "N.H.": "New Hampshire",
    "N.J.": "New Jersey",
    "N.M.": "New Mexico",
    "N.Y.": "New York",
    "N.C.": "North Carolina",
    "N.D.": "North Dakota",
    "Okla.": "Oklahoma",
    "Ore.": "Oregon",
    "Pa.": "Pennsylvania",
    "R.I.": "Rhode Island",
    "S.C.": "South Carolina",
    "S.D.": "South Dakota",
    "Tenn.": "Tennessee",
    "Vt.": "Vermont",
    "Va.": "Virginia",
    "Wash.": "Washington",
    "W.Va.": "West Virginia",
    "Wis.": "Wisconsin",
    "Wyo.": "Wyoming",
}
_POSTAL = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
_PARTIES = {"D": "Democrat", "R": "Republican", "I": "independent"}

_ABBREVIATION = "|".join(re.escape(a) for a in sorted(_AP_STATES, key=len, reverse=True))
_PLACE_STATE = re.compile(r"(?<=[A-Za-z], )(" + _ABBREVIATION + r")(?=[,;:)\"']|\s|\Z)")
"""A state after a place and a comma: "Monroe, La., on", "in Jackson, Miss." (not "Miss. Smith")."""
_SPELLED_STATES = sorted({name for name in _POSTAL.values() if " " not in name}, key=len)
"""States AP writes in full after a party's letter ("R-Texas", "D-Ohio")."""
_PARTY = re.compile(
    r"\b([DRI])-("
    + _ABBREVIATION
    + r"|"
    + "|".join(_POSTAL)
    + r"|"
    + "|".join(reversed(_SPELLED_STATES))
    + r")(?![\w-])",
)
"""A party and a state, as in "Sen. Jones, D-Mass.", "Rep. Lee (R-CA)", "Sen. Cruz, R-Texas"."""
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]+\b(?!\.)")
_POSTAL_STATE = re.compile(
    r"(?<=[a-z], )(" + "|".join(_POSTAL) + r")(?:\s(\d{5})(?:-(\d{4}))?)?"
    r"(?=[,.;:)!?\"'@\u2013\u2014-]|\s|\Z)"
)
"""A state's postal code after a place and a comma, as listings and press releases write it:
"Saratoga Springs, NY", "Portland, OR 97201" (its ZIP code said digit by digit)."""
_WORDLIKE = frozenset({"OK", "HI", "ME", "IN", "OR", "OH", "ID"})
"""Codes that are also words: a state only where no small-letter word follows ("Boise, ID
last year" stays) and the word before is not a reply ("Well, OK.")."""
_REPLY = re.compile(r"(?:\A|[\s\"'(])(?:Well|Yes|No|Oh|Okay|Fine|Sure|Right|So|And|But), \Z")
_SMALL_WORD_AFTER = re.compile(r"\s+[a-z]")


def _speak_place_state(m: re.Match[str], uk: bool) -> str:
    if m[1] == "Miss." and _NAME_AFTER.match(m.string, m.end()):
        return m[0]
    return keep_final_period(m, _AP_STATES[m[1]])


def _speak_postal_state(m: re.Match[str], uk: bool) -> str:
    code, zip_code, extension = m.groups()
    if code in _WORDLIKE and (
        (zip_code is None and _SMALL_WORD_AFTER.match(m.string, m.end()))
        or _REPLY.search(m.string, 0, m.start())
    ):
        return m[0]
    spoken = _POSTAL[code]
    if zip_code:
        spoken += ", " + digits(zip_code) + (", " + digits(extension) if extension else "")
    return spoken


def _speak_party(m: re.Match[str], uk: bool) -> str:
    state = _AP_STATES.get(m[2]) or _POSTAL.get(m[2]) or m[2]
    return keep_final_period(m, f"{_PARTIES[m[1]]} of {state}")


_AGENCIES = r"\((?:AP|Reuters|AFP|UPI|Bloomberg|dpa|Xinhua|CNN|PA|CP)\)"
_AGENCY = re.compile(
    r"(?:\A|(?<=\n))([A-Z][A-Z .'-]*[A-Z](?:, [A-Z][\w. ]{0,30}?)?)\s"
    + _AGENCIES
    + r"(?=\s*[\u2014\u2013-])"
)
"""A wire dateline's credit: "WASHINGTON (AP) \u2014", "LONDON, March 3 (Reuters) -". A
newsreader says the place and leaves the agency out."""

_CREDIT = re.compile(r"(?:\A|(?<=\n))" + _AGENCIES + r"\s*[\u2014\u2013-]+\s*")
"""The credit alone, where a page set the place apart: "(Reuters) - The New York ..."."""

RULES = (
    Rule("dateline", _CREDIT, lambda m, uk: ""),
    Rule("dateline", _AGENCY, lambda m, uk: m[1]),
    Rule("state", _PARTY, _speak_party),
    Rule("state", _PLACE_STATE, _speak_place_state),
    Rule("state", _POSTAL_STATE, _speak_postal_state),
)
