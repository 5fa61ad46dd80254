"""French."""

CODE = "fr"
PHRASES = {
    "opt_out": [
        r"(?:me )?désinscri\w*|(?:me )?désabonn\w*",
        r"(?:ne )?plus (?:me )?(?:contacter|recontacter|écrire|solliciter|relancer|envoyer)",
        r"(?:ne )?plus m'(?:écrire|envoyer|contacter)",
        r"(?:retirez|supprimez|enlevez|rayez)(?:-| )moi",
        r"me (?:retirer|supprimer|désinscrire|desinscrire|rayer) de (?:votre|vos|la|cette) (?:liste|fichier|base)",
        r"supprime[rz]? (?:mes|toutes mes) (?:données|coordonnées|informations)",
        r"arrête[rz]? de m(?:e |')(?:contacter|écrire|envoyer|spammer|solliciter|relancer)",
        r"(?:je ne veux )?plus (?:de|d') (?:e-?mails|mails|messages|sollicitations|courriels)",
        r"laissez(?:-| )moi tranquille|ne (?:me )?(?:contactez|écrivez|sollicitez) plus",
    ],
    "later": [
        r"peut-être plus tard|plus tard peut-être|ultérieurement|à l'avenir",
        r"(?:dans|d'ici) (?:quelques|deux|trois|six|neuf|douze|\d+) mois|dans un (?:an|an et demi)|d'ici un an",
        r"l'année prochaine|l'an prochain|début (?:de l'année prochaine|d'année prochaine)",
        r"après l'été|à la rentrée|après les (?:vacances|fêtes)|après mon congé",
        r"(?:recontacte[rz]?|revenez vers|reprenez contact avec|écrivez|relancez)(?:-| )?(?:moi )?(?:dans|en|après|à|"
        r"plus tard|l'an|l'année|d'ici|vers)",
        r"pas (?:pour le moment|maintenant|pour l'instant|en ce moment|tout de suite)(?=\s*(?:[.!,;]|$|mais))",
        r"(?:ce n'est )?pas le bon moment",
    ],
    "not_interested": [
        r"je préfère rester|je reste (?:dans|chez|où)",
        r"pas (?:vraiment |du tout |très |intéressée? du tout)?intéressée?|plus intéressée?|désintéressée?",
        r"pas du tout",
        r"non,? merci|merci,? mais non|merci,? mais je (?:ne|n')|merci bien,? mais",
        r"(?:je ne suis|je suis|ne suis) pas (?:à la recherche|en recherche|disponible|ouverte?|en veille)",
        r"(?:très )?(?:heureux|heureuse|satisfaite?|bien|épanouie?) (?:dans|à|chez) (?:mon|ma|l'entreprise|mon poste)",
        r"je passe(?: mon tour)?|je décline|je vais décliner|je dois décliner",
        r"(?:déjà |j'ai )accepté (?:un|une|l') ?(?:autre )?(?:offre|poste|proposition)",
        r"pas pour moi|sans façon|ça ne m'intéresse pas|cela ne m'intéresse pas",
    ],
    "interested": [
        r"quand (?:pouvons-nous|pourrions-nous|seriez-vous disponible)",
        r"intéressée?|intéressant|m'intéresse",
        r"avec plaisir|volontiers|je suis (?:partant|partante|preneur|preneuse|ouverte?|curieu(?:x|se))",
        r"(?:pouvez|pourriez)(?:-| )vous (?:m'envoyer|me donner|m'en dire)|envoyez(?:-| )moi",
        r"en savoir plus|(?:plus d'|davantage d')(?:informations|infos|détails)",
        r"(?:échanger|un échange|un appel|un call)|appelez(?:-| )moi|discuter (?:de vive voix|par téléphone|ensemble)",
        r"(?:ça|cela) a l'air (?:intéressant|super|bien|top)|ça me (?:tente|plaît)|pourquoi pas",
        r"(?:ci-joint|voici) mon cv",
    ],
    "question": [
        r"(?:pouvez|pourriez)(?:-| )vous me (?:dire|préciser)|j'aimerais savoir|quel(?:le)?s? (?:est|sont)|combien|"
        r"quelle (?:entreprise|société)|qui est (?:le client|l'entreprise)",
    ],
}
NEGATORS = ("pas", "jamais", "plus", "aucun", "aucune", "guère")
YES = ("oui", "ouais", "bien sûr", "volontiers", "avec plaisir", "d'accord", "ok")
NO = ("non", "non merci")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
SEASONS = {
    r"après l'été|à la rentrée|en automne|cet automne|à l'automne": 9,
    r"l'année prochaine|l'an prochain|début d'année|après les fêtes|en début d'année": 1,
    r"au printemps": 3,
    r"en été|cet été": 6,
    r"en hiver|cet hiver": 12,
}
