"""Swedish."""

CODE = "sv"
PHRASES = {
    "opt_out": [
        r"avregistrera\w*|avsluta (?:prenumerationen|utskicken)|avanmäl\w*",
        r"ta bort (?:mig|mina uppgifter|min e-?post)(?: från)?",
        r"radera (?:mina uppgifter|mig|min profil)",
        r"(?:kontakta|maila|mejla|skriv till|ring) (?:mig )?(?:inte|aldrig) (?:igen|mer)",
        r"sluta (?:maila|mejla|kontakta|skriva till|skicka) (?:mig)?",
        r"inga (?:fler|mer) (?:mejl|mail|meddelanden|utskick)",
        r"vill inte (?:bli kontaktad|ha fler|ha mer|få fler)",
    ],
    "later": [
        r"kanske senare|längre fram|i framtiden|framöver",
        r"om (?:några|ett par|två|tre|sex|nio|tolv|\d+) månader|om ett (?:halvår|år)|om ett halvt år",
        r"nästa år|till nästa år|i början av nästa år|efter nyår",
        r"efter (?:sommaren|semestern|föräldraledigheten|jul)",
        r"(?:hör|kontakta|mejla|maila) (?:av dig |mig )?(?:gärna )?(?:igen |på nytt )?"
        r"(?:om \w+ månader|om ett|efter|nästa år|senare|i höst|i vår|till hösten|till våren|till nästa)",
        r"(?:inte (?:just )?nu|inte för tillfället|inte i nuläget|inte i dagsläget)(?=\s*(?:[.!,;]|$|men))",
        r"dålig timing|fel tidpunkt",
    ],
    "not_interested": [
        r"(?:jag )?stannar (?:där jag är|kvar)|stanna kvar",
        r"inte (?:särskilt |så |alls )?intresserad|ointresserad",
        r"nej,? tack|tack,? men nej|tack,? men jag",
        r"(?:är )?(?:mycket |väldigt )?(?:nöjd|trivs) (?:med|på|där|bra)",
        r"söker inte|letar inte|inte på jakt",
        r"(?:har )?(?:redan )?tackat ja till",
        r"inte för mig|inte alls|absolut inte",
    ],
    "interested": [
        r"när (?:passar det|kan vi)",
        r"intresserad|intressant",
        r"(?:mycket )?gärna",
        r"låter (?:bra|spännande|intressant|kul)",
        r"berätta mer|mer (?:information|info|detaljer)|skicka (?:mer|gärna)",
        r"vi kan (?:prata|ringas|höras|ses)|ett samtal|ring mig|boka (?:ett )?(?:samtal|möte)",
        r"ja,? (?:tack|gärna|absolut)|absolut",
        r"(?:bifogar|bifogat) (?:mitt )?cv",
    ],
    "question": [
        r"(?:kan|skulle) (?:du|ni) berätta|jag undrar|vad är|hur mycket|vilket företag|vem är kunden",
    ],
}
NEGATORS = ("inte", "ej", "aldrig", "icke")
YES = ("ja", "absolut", "gärna", "självklart", "visst", "japp")
NO = ("nej", "nej tack", "nä")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
SEASONS = {
    r"efter sommaren|efter semestern|i höst": 9,
    r"nästa år|efter nyår|i början av nästa år": 1,
    r"i vår": 3,
    r"i sommar": 6,
    r"i vinter": 12,
}
