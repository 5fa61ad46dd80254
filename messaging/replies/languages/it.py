"""Italian."""

CODE = "it"
PHRASES = {
    "opt_out": [
        r"cancellatemi|cancellami|cancellare i miei dati|cancellate i miei dati|rimuovetemi|rimuovermi|rimuovimi",
        r"(?:toglietemi|toglimi|eliminatemi) dalla (?:lista|mailing|vostra lista|banca dati)",
        r"non (?:mi )?(?:contattate|contattatemi|scrivetemi|scrivete|contattare|scrivere|contattarmi|scrivermi) più",
        r"non voglio (?:più )?(?:ricevere|essere (?:contattat[oa]|disturbat[oa]))",
        r"(?:smettete|smettetela|smetti|smettila) di (?:scrivermi|contattarmi|mandarmi|inviarmi)",
        r"disiscriv\w*|annulla(?:re)? (?:l'|la mia )?iscrizione",
    ],
    "later": [
        r"più avanti|in futuro|magari (?:più tardi|in futuro|l'anno prossimo)",
        r"(?:tra|fra) (?:qualche|alcuni|due|tre|sei|nove|dodici|\d+|un paio di) mesi|(?:tra|fra) un anno",
        r"l'anno prossimo|il prossimo anno|inizio del prossimo anno",
        r"dopo l'estate|dopo le (?:ferie|vacanze|feste)|dopo la pausa estiva|al rientro dalle ferie",
        r"(?:ricontattatemi|ricontattami|risentiamoci|scrivetemi|riscrivimi|riscrivetemi|sentiamoci) "
        r"(?:pure )?(?:tra|fra|dopo|più avanti|in|a|l'anno|verso)",
        r"non (?:è|e') il momento(?: giusto)?|(?:al momento|per ora|adesso|per il momento) no(?=\s*(?:[.!,;]|$|ma))",
    ],
    "not_interested": [
        r"preferisco (?:restare|rimanere)|resto dove sono|rimango dove sono",
        r"non (?:sono )?(?:molto |particolarmente )?interessat[oa]|non mi interessa|disinteressat[oa]",
        r"no,? grazie|grazie,? ma no|grazie mille,? ma",
        r"(?:sono|mi trovo|sto) (?:molto )?(?:bene|content[oa]|soddisfatt[oa]|felice) (?:dove sono|nel mio|"
        r"nella mia|in|con)",
        r"non (?:sono|sto) (?:cercando|in cerca)|non cerco",
        r"(?:ho )?(?:già )?accettato (?:un'|un |un'altra |un altro |una )?(?:offerta|proposta|posizione)",
        r"passo|non fa per me|per niente|affatto|assolutamente no",
    ],
    "interested": [
        r"quando (?:possiamo|potremmo) (?:parlarne|sentirci|parlare|vederci)",
        r"interessat[oa]|interessante|mi interessa",
        r"volentieri|con piacere|mi piacerebbe|perché no",
        r"(?:mandatemi|mandami|inviatemi|inviami|mi mandi|mi invii) (?:più |maggiori )?(?:dettagli|informazioni|la)",
        r"maggiori (?:informazioni|dettagli)|più (?:informazioni|dettagli)",
        r"sentiamoci|parliamone|una chiamata|chiamami|mi chiami|fissiamo",
        r"sì,? (?:certo|volentieri|grazie)|certamente",
        r"(?:in allegato|allego) (?:il )?(?:mio )?(?:cv|curriculum)",
    ],
    "question": [
        r"(?:potrebbe|puoi|può) (?:dirmi|indicarmi)|vorrei sapere|qual è|quanto|quale (?:azienda|società)|"
        r"chi è il cliente",
    ],
}
NEGATORS = ("non", "mai", "né", "nessun", "nessuna")
YES = ("sì", "si", "certo", "certamente", "volentieri", "ok", "va bene")
NO = ("no", "no grazie")
MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip
SEASONS = {
    r"dopo l'estate|dopo le ferie|dopo la pausa estiva|in autunno|al rientro dalle ferie": 9,
    r"l'anno prossimo|il prossimo anno|inizio anno|dopo le feste": 1,
    r"in primavera": 3,
    r"in estate|quest'estate": 6,
    r"in inverno": 12,
}
