"""Matching column names: case, spaces, punctuation and common synonyms do not matter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

# Measures whose scores can sit side by side in a wide table, longest first for matching.
WIDE_MEASURES = ("CGSRS", "GSRS", "CSRS", "CORS", "YCORS", "SRS", "ORS")


def norm(name: object) -> str:
    """Lower-case a column name and keep letters and digits only ('#' reads as 'number').

    Accents are dropped and ``ß`` reads as ``ss``, so that ``Prénom`` is ``prenom``.

    Examples
    --------
    >>> norm(" Session # "), norm("Total_ORS"), norm("client-ID"), norm("Straße")
    ('sessionnumber', 'totalors', 'clientid', 'strasse')
    """
    s = unicodedata.normalize("NFKD", str(name).replace("#", "number").casefold())
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
# addresses, phone numbers, health, social-security and other ID numbers and their
# descriptions), in English and in the languages of the services that use the measures
# (matched on normalised names: "Prénom" is "prenom", "Straße" is "strasse").
_IDENTIFYING = re.compile(
    # names of the client and of people close to them
    r"(first|last|fore|sur|full|middle|given|family|maiden|birth|nick|pref(erred)?|vor|nach"
    r"|familien|ruf|geburts|maedchen)name"
    r"|^names?$|^(client|patient|person|provider|clinician|therapist|staff|parent|guardian"
    r"|carer|caregiver|mother|father|mum|mom|dad|child|kin|contact|gp|doctor|partner|spouse"
    r"|relative|emergencycontact)s?name$|^namedes|^alias$|initials$"
    r"|^noms?$|^nom(de|du|patient|client|enfant|complet|famille|naissance)|(patient|client)nom$"
    r"|prenom|^nombres?$|^apellidos?$|^naam$|achternaam|voornaam|^cognome$|^nome$"
    r"|nextofkin|^kin$|emergencycontact"
    # dates of birth
    r"|dob$|dateofbirth|birthdate|birthday|^born$|geburtsdatum|geburtstag|naissance"
    r"|fechadenacimiento|geboortedatum|datadinascita|fodselsdato|fodelsedatum"
    # contact and address
    r"|e?mail|courriel|address|adresse|anschrift|street|strasse|postcode|postalcode|zipcode"
    r"|^zip$|^plz$|postleitzahl|codepostal|^npa$|^city$|^town$|^ville$|^wohnort$|^ort$"
    r"|phone|mobil|^tel(no|nr|number)?$|telefon|^handy|^natel|^fax$|^cell$|^portable$|^movil$"
    r"|cellulare"
    # health, social-security and other national or record numbers
    r"|nhsnumber|nhsno|^nhs$|chinumber|^chi$|^hcn$|^hcnumber$|mrn$|medicalrecord"
    r"|hospitalnumber|hospitalno|hospno|^ninumber$|^nino$|nationalinsurance|^ahv|^avs$"
    r"|socialsecurity|securitesociale|^ssn$|^nir$|sozialversicherung|^svnr$"
    r"|versichertennummer|medicare|medicaid|insurance(number|id|no)|passport|reisepass"
    r"|passeport|driverslicen|drivinglicen|^nhi$|nhinumber|^ihi$|^bsn$|burgerservicenummer"
    r"|personnummer|^cpr$|cprnummer|codicefiscale|healthcard|^ohip|^iban$|ipaddress"
    r"|iddesc\d*$|idshortdesc\d*$|idnum\d*$"
)
# What the description of an ID number says when the number is a national identifier.
_NATIONAL = (
    (r"\bnhs\b", "NHS number"), (r"\bchi\b", "CHI number"),
    (r"\bh\s*&\s*c\b|health and care", "Health and Care number"),
    (r"national insurance|\bnino?\b", "National Insurance number"),
    (r"social security|\bssn\b|s[ée]curit[ée] sociale", "social security number"),
    (r"medicare|medicaid", "Medicare or Medicaid number"),
    (r"\bnhi\b|national health index", "National Health Index number"),
    (r"\bihi\b|individual healthcare identifier", "Individual Healthcare Identifier"),
    (r"\bahv\b|\bavs\b", "AHV number"), (r"\bbsn\b|burgerservice", "citizen service number"),
    (r"personnummer|\bcpr\b", "personal identity number"),
    (r"passport", "passport number"), (r"\bnational\b", "national identifier"),
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


def national_id(descriptions: Iterable[str]) -> str | None:
    """What kind of national identifier ID-number descriptions name, if any.

    Examples
    --------
    >>> national_id(["NHS number (synthetic)"]), national_id(["Local clinic number"])
    ('NHS number', None)
    """
    texts = [str(d).lower() for d in descriptions]
    for pattern, kind in _NATIONAL:
        if any(re.search(pattern, t) for t in texts):
            return kind
    return None


def is_identifying(name: object) -> bool:
    """Whether a column looks like it holds identifying information.

    Examples
    --------
    >>> [is_identifying(c) for c in ["Client_FirstName", "DOB", "redcap_event_name", "Client_ID"]]
    [True, True, False, False]
    >>> [is_identifying(c) for c in ["Prénom", "Geburtsdatum", "CHI Number", "Next of kin"]]
    [True, True, True, True]
    """
    n = norm(name)
    return bool(_IDENTIFYING.search(n))
