"""Spanish."""

CODE = "es"
PHRASES = {
    "opt_out": [
        r"dar(?:me)? de baja|darme de baja|de baja (?:de|en) (?:su|la|vuestra|tu) (?:lista|base de datos)",
        r"no (?:me )?(?:vuelva|vuelvan|vuelvas|volváis) a (?:contactar|escribir|llamar)",
        r"(?:dejen?|deja|dejad) de (?:escribirme|contactarme|enviarme|mandarme|llamarme)",
        r"no me (?:contacte|contacten|contactes|escriba|escriban|escribas|envíe|envíen|manden|mandes) (?:más|nunca)",
        r"(?:eliminen?|borren?|elimina|borra|eliminad|borrad) (?:mis datos|mi (?:correo|información|perfil|email))",
        r"(?:sáquenme|quítenme|sácame|quítame|eliminenme) de (?:su|la|tu|vuestra) (?:lista|base)",
        r"no (?:quiero|deseo) (?:recibir|que me (?:contacten|escriban))(?: más)?",
    ],
    "later": [
        r"más adelante|en el futuro|en otro momento|quizás? (?:más tarde|en unos meses|el año que viene)",
        r"(?:dentro de|en) (?:unos|un par de|algunos|dos|tres|seis|nueve|doce|\d+) (?:meses|años)|dentro de un año",
        r"el año que viene|el próximo año|el año próximo|a principios del (?:año|próximo año)",
        r"después del verano|después de (?:las vacaciones|verano|mi baja)|tras el verano|a la vuelta del verano",
        r"(?:vuelva|vuelve|volved) a (?:contactarme|escribirme|preguntarme)|"
        r"(?:contácteme|escríbame|contáctame|escríbeme|llámame) (?:de nuevo |otra vez )?(?:en|dentro|después|"
        r"más adelante)",
        r"(?:ahora (?:mismo )?|en este momento |por ahora |de momento |por el momento )no(?=\s*(?:[.!,;]|$|pero))",
        r"no es (?:el|un) buen momento",
    ],
    "not_interested": [
        r"prefiero quedarme",
        r"no (?:me )?interesa|no (?:estoy )?(?:muy )?interesad[oa]|desinteresad[oa]|no tengo interés",
        r"no,? gracias|gracias,? pero no|muchas gracias,? pero",
        r"estoy (?:muy )?(?:content[oa]|feliz|a gusto|bien|satisfech[oa]) (?:en|con|donde)",
        r"no (?:estoy )?buscando|no busco|no estoy en búsqueda",
        r"ya (?:he )?(?:aceptado|acepté|firmado|firmé) (?:una|otra|un) (?:oferta|posición|propuesta|puesto)",
        r"paso,? gracias|yo paso|no es para mí|para nada|en absoluto",
    ],
    "interested": [
        r"cuándo (?:podemos|podríamos)",
        r"me interesa|interesad[oa]|interesante|tengo interés",
        r"me encantaría|con (?:mucho )?gusto|encantad[oa]",
        r"cuéntame más|cuénteme más|más (?:información|info|detalles)|envíame|envíeme|mándame",
        r"hablamos|podemos (?:hablar|llamar|quedar)|una llamada|llámame|llámeme",
        r"claro que sí|por supuesto|suena (?:bien|genial|interesante)|me parece (?:bien|genial|interesante)",
        r"(?:adjunto|te envío|le envío) (?:mi )?(?:cv|currículum)",
    ],
    "question": [
        r"(?:podría|puede|podrías|puedes) (?:decirme|indicarme|contarme)|me gustaría saber|cuál es|cuánto|"
        r"qué empresa|quién es el cliente",
    ],
}
NEGATORS = ("no", "nunca", "jamás", "ni", "tampoco", "ningún", "ninguna")
YES = ("sí", "si", "claro", "por supuesto", "vale", "desde luego")
NO = ("no", "no gracias", "nop")
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre|setiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
SEASONS = {
    r"después del verano|tras el verano|a la vuelta del verano|en otoño": 9,
    r"el año que viene|el próximo año|a principios de año|después de (?:navidad|las fiestas)": 1,
    r"en primavera": 3,
    r"en verano": 6,
    r"en invierno": 12,
}
