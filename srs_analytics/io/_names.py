"""Matching column names: case, spaces, punctuation and common synonyms do not matter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# Measures whose scores can sit side by side in a wide table, longest first for matching.
WIDE_MEASURES = ("CGSRS", "GSRS", "CSRS", "CORS", "YCORS", "SRS", "ORS")


def norm(name: object) -> str:
    """Lower-case a column name and keep letters and digits only ('#' reads as 'number').

    Examples
    --------
    >>> norm(" Session # "), norm("Total_ORS"), norm("client-ID")
    ('sessionnumber', 'totalors', 'clientid')
    """
    s = str(name).replace("#", "number").lower()
    return re.sub(r"[^0-9a-z]", "", s)


#: Canonical field -> accepted names (normalised). Order matters only for readability.
SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "client_id": ("clientid", "client", "patientid", "patient", "recordid", "personid",
                  "participantid", "participant", "subjectid", "clientnumber", "clientcode",
                  "clientref", "clientreference", "pseudonym", "pseudoid", "caseclientid"),
    "episode_id": ("episodeid", "episode", "caseid", "case", "uniqservreqid", "referralid",
                   "referral", "treatmentid", "episodeofcare", "courseid"),
    "clinician_id": ("clinicianid", "clinician", "therapistid", "therapist", "providerid",
                     "provider", "counsellor", "counselor", "counsellorid", "counselorid",
                     "practitionerid", "practitioner", "staffid", "careproflocalid"),
    "site": ("site", "servicelocation", "location", "clinic", "siteid", "service"),
    "session_date": ("sessiondate", "date", "visitdate", "qdate", "asstoolcompdate",
                     "appointmentdate", "administrationdate", "ratingdate", "datecompleted"),
    "session_number": ("sessionnumber", "session", "sessionno", "sessionnr", "sessionid",
                       "sessionnum", "qsession", "visitnumber", "visit", "sessioncount"),
    "measure": ("measure", "instrument", "scale", "questionnaire", "tool", "measurename",
                "form"),
    "rater": ("rater", "respondent", "ratertype", "informant", "completedby", "raterrole"),
    "item_1": ("item1", "i1"),
    "item_2": ("item2", "i2"),
    "item_3": ("item3", "i3"),
    "item_4": ("item4", "i4"),
    "total": ("total", "totalscore", "score", "sum", "sumscore"),
    "age_group": ("agegroup", "clientgroup", "agecategory", "ageband", "population"),
    "group_id": ("groupid", "group", "therapygroup"),
    "format": ("format", "administrationformat", "mode", "administrationmode"),
    "setting": ("setting", "deliverymode", "delivery", "sessionsetting"),
    "episode_status": ("episodestatus", "status", "endingtype", "closurereason",
                       "dischargetype", "ending"),
    "comment": ("comment", "comments", "notes", "note", "remarks", "sessionnotes"),
    "skip": ("skip", "skipped", "notadministered", "declined", "skipflag"),
    "items_imputed": ("itemsimputed", "imputed"),
})

_LOOKUP = {alias: field for field, aliases in SYNONYMS.items() for alias in aliases}

_MEASURE_RE = "|".join(m.lower() for m in WIDE_MEASURES)
_WIDE_ITEM = re.compile(rf"^({_MEASURE_RE})(?:q|item|i|question)?([1-4])$")
_WIDE_TOTAL = re.compile(
    rf"^(?:total({_MEASURE_RE})|({_MEASURE_RE})(?:total|totalscore|score|sum)?)$")
_WIDE_SKIP = re.compile(rf"^(?:({_MEASURE_RE})skip(?:ped)?|skip({_MEASURE_RE}))$")

# Identifying information, dropped on load unless asked for (names, dates of birth, e-mail,
# addresses, phone numbers, NHS and other ID numbers and their descriptions).
_IDENTIFYING = re.compile(
    r"(first|last|fore|sur|full|middle|given|family|maiden|pref(erred)?)name"
    r"|^name$|^(client|patient|person|provider|clinician|therapist|staff)name$"
    r"|dob$|dateofbirth|birthdate|birthday|^born$"
    r"|e?mail|address|street|postcode|postalcode|zipcode|^zip$|^city$|^town$"
    r"|phone|mobile|telephone|^tel$"
    r"|nhsnumber|nhsno|^nhs$|socialsecurity|^ssn$|medicare|medicaid|insurance(number|id|no)"
    r"|iddesc\d*$|idshortdesc\d*$|idnum\d*$"
)


def canonical_field(name: object) -> str | None:
    """The canonical field a column name stands for, or ``None``.

    Examples
    --------
    >>> canonical_field("Therapist"), canonical_field("Session #"), canonical_field("x")
    ('clinician_id', 'session_number', None)
    """
    return _LOOKUP.get(norm(name))


def wide_field(name: object) -> tuple[str, str] | None:
    """``(measure, field)`` for a measure-prefixed column of a wide table, else ``None``.

    ``field`` is ``item_1`` .. ``item_4``, ``total`` or ``skip``.

    Examples
    --------
    >>> wide_field("ORSQ2"), wide_field("Total_SRS"), wide_field("ors 1"), wide_field("SRS_Skip")
    (('ORS', 'item_2'), ('SRS', 'total'), ('ORS', 'item_1'), ('SRS', 'skip'))
    """
    n = norm(name)
    if m := _WIDE_ITEM.match(n):
        return m.group(1).upper(), f"item_{m.group(2)}"
    if m := _WIDE_TOTAL.match(n):
        return (m.group(1) or m.group(2)).upper(), "total"
    if m := _WIDE_SKIP.match(n):
        return (m.group(1) or m.group(2)).upper(), "skip"
    return None


def is_identifying(name: object) -> bool:
    """Whether a column looks like it holds identifying information.

    Examples
    --------
    >>> [is_identifying(c) for c in ["Client_FirstName", "DOB", "redcap_event_name", "Client_ID"]]
    [True, True, False, False]
    """
    n = norm(name)
    return bool(_IDENTIFYING.search(n))
