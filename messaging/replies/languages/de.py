"""German."""

CODE = "de"
PHRASES = {
    "opt_out": [
        r"abmelden|abbestellen|austragen|abmeldung",
        r"keine (?:weiteren |weitere )?(?:e-?mails|mails|nachrichten|anfragen|kontaktaufnahmen?|zuschriften|werbung)"
        r"(?: mehr)?(?! zu)",
        r"(?:kontaktieren|schreiben|anschreiben|mailen) sie mich (?:bitte )?(?:nicht|nie) (?:mehr|wieder)",
        r"(?:bitte )?nicht mehr (?:kontaktieren|anschreiben|schreiben|anrufen|mailen|kontaktiert werden)",
        r"(?:entfernen|löschen|streichen) sie (?:mich|meine (?:daten|e-?mail|adresse|kontaktdaten))",
        r"(?:mich|meine daten) (?:bitte )?(?:aus|von) (?:ihrer|der|dem|ihrem) "
        r"(?:liste|verteiler|datenbank|kartei|system|mailingliste) (?:entfernen|löschen|streichen|nehmen)",
        r"lassen sie mich in ruhe|hören sie auf,? mir zu schreiben|unterlassen sie",
        r"keine weitere kontaktaufnahme|(?:ich )?widerspreche der (?:verarbeitung|nutzung|speicherung)",
    ],
    "later": [
        r"(?:vielleicht|gerne|gern|eventuell|lieber) (?:später|in zukunft|künftig)|zu einem späteren zeitpunkt",
        r"in (?:ein paar|einigen|wenigen|zwei|drei|vier|sechs|neun|zwölf|\d+) monaten",
        r"in einem (?:halben )?jahr|in einem dreivierteljahr|im (?:nächsten|kommenden|neuen) jahr|nächstes jahr",
        r"(?:anfang|mitte|ende) (?:nächsten|des nächsten|des kommenden|des) jahres",
        r"nach (?:dem sommer|den (?:sommerferien|ferien|feiertagen)|meiner elternzeit|meinem urlaub|der probezeit)",
        r"(?:melden|wenden) sie sich (?:gerne |bitte |doch )?(?:wieder|nochmal|noch einmal|erneut|später|in|im|"
        r"nach|ab)",
        r"(?:fragen|schreiben|kontaktieren) sie (?:mich )?(?:gerne |bitte |doch )?(?:wieder|nochmal|noch einmal|erneut|"
        r"später|in|im|nach|ab)",
        r"(?:kommen sie|komm) (?:gerne |bitte )?(?:später |in \S+ \S+ |im \S+ |nach \S+ \S+ )?(?:wieder |nochmal |"
        r"erneut )"
        r"auf mich zu",
        r"(?:jetzt|gerade|derzeit|momentan|aktuell|zurzeit|im moment) (?:leider )?nicht(?=\s*(?:[.!,;]|$|aber))",
        r"passt (?:es )?(?:gerade|zeitlich|momentan|derzeit|jetzt|aktuell) (?:leider )?nicht|(?:der )?zeitpunkt passt",
    ],
    "not_interested": [
        r"(?:möchte|will|werde) (?:aktuell |derzeit |momentan |zurzeit )?nicht wechseln|"
        r"bleibe (?:lieber )?(?:wo ich bin|bei)",
        r"kein(?:e|en|erlei)? (?:großes |wirkliches )?interesse",
        r"nicht (?:wirklich |mehr |sonderlich )?interessiert|desinteressiert|uninteressant",
        r"nein,? danke|danke,? (?:aber )?nein|danke,? kein bedarf|kein bedarf",
        r"(?:bin|sind) (?:sehr |rundum |absolut )?(?:zufrieden|glücklich) (?:mit|in|bei|an) (?:meiner|meinem|der|dem)",
        r"nicht (?:auf der suche|wechselwillig|wechselbereit|offen für|aktiv suchend)|suche (?:derzeit |"
        r"aktuell )?nicht",
        r"ich (?:passe|verzichte)|muss (?:leider )?(?:absagen|passen)",
        r"(?:bereits|schon) (?:eine |einen )?(?:neue |neuen )?(?:stelle|job|position|zusage|angebot|vertrag) "
        r"(?:angenommen|gefunden|unterschrieben)",
        r"(?:stelle|angebot|position) angenommen|nicht das richtige für mich|das passt nicht|gar nicht|überhaupt nicht",
        r"nee",
    ],
    "interested": [
        r"wann (?:hätten sie zeit|passt es ihnen|können wir|haben sie zeit)",
        r"interess(?:e|iert|ant)",
        r"klingt (?:gut|spannend|interessant|toll|super|reizvoll|verlockend)",
        r"(?:sehr |ja,? )?gerne?(?: mehr)?",
        r"mehr (?:infos|informationen|details|dazu)|erzählen sie (?:mir )?mehr",
        r"lassen sie uns (?:telefonieren|sprechen|reden|austauschen)|(?:kurzes )?telefonat|termin (?:vereinbaren|"
        r"ausmachen)",
        r"(?:bin|wäre) (?:dabei|offen)|schicken sie mir|senden sie mir|rufen sie mich an",
        r"(?:mein|anbei mein) (?:lebenslauf|cv)",
    ],
    "question": [
        r"(?:können|könnten) sie mir (?:sagen|mitteilen)|ich würde gerne wissen|wie (?:hoch|viel)|welche(?:s|r)? "
        r"(?:firma|unternehmen|kunde|gehalt)|wer ist (?:der|die) (?:kunde|firma)",
    ],
}
NEGATORS = ("nicht", "kein", "keine", "keinen", "keinem", "keinerlei", "nie", "niemals")
YES = ("ja", "jawohl", "gerne", "gern", "sehr gerne", "klar", "natürlich", "auf jeden fall")
NO = ("nein", "nö", "nee", "danke nein")
MONTHS = (
    "januar|jänner", "februar", "märz", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "dezember",
)  # fmt: skip
SEASONS = {
    r"nach dem sommer|nach den sommerferien|im herbst|ende des sommers": 9,
    r"(?:anfang |zu beginn )?(?:des )?nächsten jahres|im neuen jahr|nächstes jahr|nach (?:den feiertagen|"
    r"weihnachten)": 1,
    r"im frühjahr|im frühling": 3,
    r"im sommer": 6,
    r"im winter": 12,
}
