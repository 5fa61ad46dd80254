"""Polish."""

CODE = "pl"
PHRASES = {
    "opt_out": [
        r"wypisz(?:cie)? mnie|wypisać|proszę mnie wypisać|wypisanie",
        r"usuń(?:cie)? (?:mnie|moje dane|mój adres)|proszę (?:mnie )?usunąć|usunięcie (?:moich danych|mnie)",
        r"(?:proszę )?(?:więcej )?nie (?:kontaktuj|piszcie|pisz|kontaktujcie|kontaktować|pisać)(?: się)?"
        r"(?: ze mną| do mnie)?(?: więcej| już)?(?=\s*(?:[.!,;]|$|ze|do))",
        r"(?:nie chcę|nie życzę sobie) (?:więcej |już )?(?:otrzymywać|wiadomości|kontaktu|maili|e-?maili)",
        r"przestańcie (?:do mnie )?pisać|proszę przestać|proszę do mnie nie pisać|proszę więcej nie pisać",
        r"rezygnuję z (?:subskrypcji|otrzymywania)",
    ],
    "later": [
        r"(?:proszę )?(?:napisać|odezwać się) (?:we? \w+iu|za \w+|po \w+)",
        r"może później|może kiedyś|w przyszłości|za jakiś czas",
        r"za (?:kilka|parę|dwa|trzy|sześć|dziewięć|dwanaście|\d+) (?:miesięcy|miesiące|lat)|za pół roku|za rok",
        r"w przyszłym roku|w nowym roku|na początku (?:przyszłego|nowego) roku",
        r"po wakacjach|po lecie|po urlopie",
        r"(?:odezwij|odezwijcie|odezwie|skontaktuj|skontaktujcie)(?: się)? (?:ponownie |jeszcze raz |do mnie )?"
        r"(?:za|po|później|w przyszłym)",
        r"(?:nie teraz|na razie nie|w tej chwili nie|teraz nie|obecnie nie)(?=\s*(?:[.!,;]|$|ale))",
        r"to nie jest (?:dobry )?moment",
    ],
    "not_interested": [
        r"wolę zostać|zostaję (?:w|na|tam)",
        r"nie (?:jestem )?(?:zbyt |specjalnie )?zainteresowan[yaei]|nie interesuje mnie|niezainteresowan[ya]",
        r"nie,? dziękuję|dziękuję,? (?:ale )?nie|dzięki,? ale nie",
        r"(?:jestem )?(?:bardzo )?zadowolon[ya] (?:z|w) (?:obecnej|mojej|aktualnej|obecnego|mojego)",
        r"nie szukam|nie jestem otwart[ya]|nie rozglądam się",
        r"(?:przyjąłem|przyjęłam) (?:już )?(?:inną |nową )?(?:ofertę|propozycję|pracę)",
        r"to nie dla mnie|nie skorzystam|zdecydowanie nie|w ogóle",
    ],
    "interested": [
        r"kiedy (?:możemy|moglibyśmy) (?:się umówić|porozmawiać)",
        r"zainteresowan[yaei]|interesuje mnie|ciekaw[ya] propozycja|ciekawa oferta",
        r"chętnie|chetnie",
        r"brzmi (?:ciekawie|dobrze|interesująco|świetnie)",
        r"proszę o (?:więcej |szczegóły|informacje|szczegółów|więcej informacji)|więcej (?:szczegółów|informacji)",
        r"porozmawiajmy|możemy porozmawiać|rozmow[aęy]|zadzwoń|proszę zadzwonić",
        r"tak,? (?:chętnie|jestem|proszę|oczywiście)|oczywiście",
        r"(?:w załączniku|załączam) (?:moje )?cv",
    ],
    "question": [
        r"(?:czy )?(?:może pan|może pani|możesz) (?:powiedzieć|podać)|chciał(?:bym|abym) wiedzieć|jaki jest|"
        r"jakie są|ile|"
        r"jaka firma|kto jest klientem",
    ],
}
NEGATORS = ("nie", "nigdy", "ani")
YES = ("tak", "jasne", "oczywiście", "chętnie", "pewnie")
NO = ("nie", "nie dziękuję")
MONTHS = (
    "styczeń|styczniu|stycznia", "luty|lutym|lutego", "marzec|marcu|marca", "kwiecień|kwietniu|kwietnia",
    "maj|maju|maja", "czerwiec|czerwcu|czerwca", "lipiec|lipcu|lipca", "sierpień|sierpniu|sierpnia",
    "wrzesień|wrześniu|września", "październik|październiku|października", "listopad|listopadzie|listopada",
    "grudzień|grudniu|grudnia",
)  # fmt: skip
SEASONS = {
    r"po wakacjach|po lecie|jesienią": 9,
    r"w przyszłym roku|w nowym roku|na początku roku": 1,
    r"wiosną": 3,
    r"latem": 6,
    r"zimą": 12,
}
