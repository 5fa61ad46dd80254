"""Portuguese."""

CODE = "pt"
PHRASES = {
    "opt_out": [
        r"descadastr\w*|cancelar (?:a )?(?:minha )?inscrição",
        r"(?:remova|removam|retire|retirem|tire|tirem)(?:-me| me) da (?:lista|base|vossa lista|sua lista)",
        r"(?:remova|removam|retire|retirem|apague|apaguem) (?:o )?(?:meu )?(?:e-?mail|endereço|contacto|contato) "
        r"d[ae] (?:vossa |sua )?(?:lista|base)",
        r"(?:apaguem|apague|eliminem|excluam|exclua) (?:os )?(?:meus|todos os meus) dados",
        r"não (?:me )?(?:contate|contatem|contactem|contacte|escreva|escrevam|envie|enviem|mande|mandem) mais",
        r"(?:parem|pare) de (?:me )?(?:enviar|escrever|contatar|contactar|mandar)",
        r"não quero (?:mais )?(?:receber|ser (?:contactad[oa]|contatad[oa]))",
    ],
    "later": [
        r"mais (?:para a frente|pra frente|adiante)|no futuro|talvez (?:mais tarde|no futuro|para o ano)",
        r"(?:daqui a|em|dentro de) (?:alguns|uns|dois|três|seis|nove|doze|\d+) meses|daqui a um ano",
        r"(?:no )?próximo ano|ano que vem|para o ano",
        r"depois (?:do verão|das férias)|após (?:o verão|as férias)",
        r"(?:volte a falar comigo|fale comigo|me contate|contacte-me|contate-me|me procure|volte a contactar-me) "
        r"(?:de novo |novamente )?(?:em|daqui|depois|mais tarde|no próximo|após)",
        r"(?:agora|no momento|neste momento|por agora|de momento|por enquanto) não(?=\s*(?:[.!,;]|$|mas))",
        r"não é (?:o|um) bom momento",
    ],
    "not_interested": [
        r"prefiro (?:continuar|ficar) (?:onde estou|na|no)",
        r"não (?:estou )?(?:muito )?interessad[oa]|não me interessa|desinteressad[oa]|não tenho interesse",
        r"não,? obrigad[oa]|obrigad[oa],? mas não|muito obrigad[oa],? mas",
        r"estou (?:muito )?(?:feliz|content[ea]|satisfeit[oa]|bem) (?:no|na|onde|com)",
        r"não estou (?:à|a) procura|não procuro|não estou (?:procurando|buscando)",
        r"já aceitei (?:uma|outra|um) (?:oferta|proposta|posição|vaga)",
        r"não é para mim|de jeito nenhum|de forma alguma",
    ],
    "interested": [
        r"quando (?:podemos|fica bom)",
        r"interessad[oa]|interessante|tenho interesse|me interessa|interessa-me",
        r"com (?:todo o )?prazer|gostaria de (?:saber|conversar|falar|mais)|adoraria",
        r"mais (?:informações|detalhes|info)|envie-me|me envie|pode enviar",
        r"podemos (?:conversar|falar)|vamos conversar|uma (?:chamada|ligação)|ligue-me|me ligue",
        r"sim,? (?:claro|por favor|tenho)|claro que sim|parece (?:ótimo|interessante|bom)",
        r"(?:segue|em anexo) (?:o )?(?:meu )?(?:cv|currículo)",
    ],
    "question": [
        r"(?:poderia|pode) (?:me )?(?:dizer|informar)|gostaria de saber|qual (?:é|o|a)|quanto|que empresa|"
        r"quem é o cliente",
    ],
}
NEGATORS = ("não", "nunca", "nem", "jamais", "nenhum", "nenhuma")
YES = ("sim", "claro", "com certeza", "pode ser", "certo")
NO = ("não", "nao", "não obrigado", "não obrigada")
MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
)  # fmt: skip
SEASONS = {
    r"depois do verão|após o verão|depois das férias|no outono": 9,
    r"(?:no )?próximo ano|ano que vem|para o ano|início do ano": 1,
    r"na primavera": 3,
    r"no verão": 6,
    r"no inverno": 12,
}
