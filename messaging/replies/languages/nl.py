"""Dutch."""

CODE = "nl"
PHRASES = {
    "opt_out": [
        r"afmelden|uitschrijven|uit(?:ge)?schreven worden",
        r"(?:haal|verwijder|schrap) (?:mij|me|mijn gegevens|mijn e-?mailadres) (?:alstublieft |aub |even |graag )?"
        r"(?:uit|van) (?:uw|je|jullie|de|het) "
        r"(?:lijst|bestand|database|mailinglijst|systeem)",
        r"verwijder (?:mijn gegevens|mij|me)",
        r"(?:neem|neemt) (?:geen|niet meer|nooit meer) contact (?:meer )?(?:met mij |met me )?op",
        r"geen (?:e-?mails|mails|berichten|mailtjes) meer",
        r"stop (?:met )?(?:mailen|mij te mailen|me te mailen|berichten sturen|contact opnemen)",
        r"(?:mail|benader|contacteer) (?:mij|me) (?:niet meer|nooit meer|niet)",
        r"laat me met rust",
    ],
    "later": [
        r"(?:misschien|wellicht|graag|pas) later|later misschien|op een later moment|in de toekomst",
        r"over (?:een paar|enkele|twee|drie|zes|negen|twaalf|\d+) maanden|over een (?:half )?jaar|over een jaartje",
        r"volgend jaar|begin volgend jaar|komend jaar",
        r"na de (?:zomer|vakantie|zomervakantie|feestdagen)|na mijn (?:verlof|vakantie|zwangerschapsverlof)",
        r"(?:neem|benader|mail|vraag|contacteer|bel) (?:mij|me) (?:gerust |graag )?(?:later|over|na|in|volgend|opnieuw|"
        r"nog eens)",
        r"(?:nu|op dit moment|momenteel|op het moment) (?:even )?niet(?=\s*(?:[.!,;]|$|maar))",
        r"(?:het )?(?:is )?(?:nu )?niet het goede moment|slechte timing",
    ],
    "not_interested": [
        r"blijf (?:liever|graag) (?:waar ik (?:nu )?(?:zit|ben)|bij)|blijf waar ik (?:nu )?(?:zit|ben)",
        r"geen interesse|niet (?:echt |meer )?geïnteresseerd|ongeïnteresseerd",
        r"nee,? (?:bedankt|dank je|dank u|dankjewel|dankuwel)|bedankt,? maar nee|dank je,? maar",
        r"(?:ik ben|ben) (?:erg |zeer |heel )?(?:tevreden|gelukkig|happy) (?:met|in|bij|op) (?:mijn|m'n|de|het)",
        r"niet op zoek|zoek (?:momenteel |nu )?niet",
        r"(?:al |net )?(?:een )?(?:nieuwe )?(?:baan|functie|aanbod|job) (?:aangenomen|gevonden|geaccepteerd)",
        r"ik pas|ik sla (?:dit|deze) over|niks voor mij|niets voor mij|hoeft niet|absoluut niet|helemaal niet",
    ],
    "interested": [
        r"wanneer (?:kunnen|zullen) we|wanneer schikt het",
        r"interesse|geïnteresseerd|interessant",
        r"klinkt (?:goed|leuk|interessant|spannend|top)",
        r"(?:heel |zeer )?graag|vertel (?:me )?meer|meer (?:info|informatie|details)|stuur (?:me|mij)",
        r"laten we (?:bellen|afspreken|praten)|belafspraak|kennismaken|kennismakingsgesprek|bel (?:me|mij)",
        r"(?:mijn )?cv (?:in de bijlage|bijgevoegd)",
    ],
    "question": [
        r"(?:kunt|kun) (?:u|je) (?:me|mij) (?:vertellen|laten weten)|ik (?:zou|wil) graag weten|wat is (?:het|de)|"
        r"hoeveel|welk(?:e)? bedrijf|wie is de klant",
    ],
}
NEGATORS = ("niet", "geen", "nooit", "allerminst")
YES = ("ja", "jazeker", "zeker", "graag", "ja graag", "prima", "top")
NO = ("nee", "neen", "nee dank je", "nee bedankt")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
SEASONS = {
    r"na de zomer|na de zomervakantie|in het najaar|in de herfst": 9,
    r"volgend jaar|begin volgend jaar|na de feestdagen|in het nieuwe jaar": 1,
    r"in het voorjaar|in de lente": 3,
    r"in de zomer": 6,
    r"in de winter": 12,
}
