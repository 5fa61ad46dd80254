"""Reply cleaning in thirteen languages: each language's quote header, Outlook block, separator and
phone footer, in every layout a reply comes in (top-posted, header wrapped over two or three lines,
header on the answer's own line, bottom-posted, interleaved, signature, sign-off).

The mail is our own, written the way each client writes it (Gmail's header in that language,
Outlook's field names, the phone's footer).
"""

# ruff: noqa: RUF001 -- the mail is written in the languages it tests
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

from messaging.inbound.cleaning import clean_reply


@dataclass(frozen=True)
class Language:
    answer: str  # what the candidate writes
    second_answer: str  # a second answer, for the interleaved layout
    quoted: tuple[str, str]  # two lines of the recruiter's mail
    header: str  # Gmail's "On … wrote:" in that language
    fields: tuple[str, str, str, str]  # Outlook's From / Sent / To / Subject
    original: str  # Outlook's "-----Original Message-----"
    footer: str  # the phone's "Sent from my iPhone"
    sign_off: str  # "Best regards,\nName"


LANGUAGES = {
    "en": Language(
        answer="Yes, I'm interested. Could we talk on Thursday?",
        second_answer="Remote, mostly.",
        quoted=("Your work on the payments platform caught my eye.", "Would you be open to a call?"),
        header="On Mon, 6 Jan 2025 at 10:00, Jane Recruiter <jane@acme.test> wrote:",
        fields=("From:", "Sent:", "To:", "Subject:"),
        original="-----Original Message-----",
        footer="Sent from my iPhone",
        sign_off="Best regards,\nSam",
    ),
    "de": Language(
        answer="Ja, gerne. Passt Ihnen Donnerstag um 15 Uhr?",
        second_answer="Am liebsten remote.",
        quoted=("Ihre Arbeit an der Zahlungsplattform hat mich beeindruckt.", "Hätten Sie Zeit für ein Gespräch?"),
        header="Am Mo., 6. Jan. 2025 um 10:00 Uhr schrieb Jane Recruiter <jane@acme.test>:",
        fields=("Von:", "Gesendet:", "An:", "Betreff:"),
        original="-----Ursprüngliche Nachricht-----",
        footer="Von meinem iPhone gesendet",
        sign_off="Viele Grüße\nJonas",
    ),
    "fr": Language(
        answer="Oui, je suis intéressée. Jeudi après-midi vous convient-il ?",
        second_answer="En télétravail de préférence.",
        quoted=("Votre travail sur la plateforme de paiement m'a beaucoup plu.", "Seriez-vous disponible ?"),
        header="Le lun. 6 janv. 2025 à 10:00, Jane Recruiter <jane@acme.test> a écrit :",
        fields=("De :", "Envoyé :", "À :", "Objet :"),
        original="-----Message d'origine-----",
        footer="Envoyé de mon iPhone",
        sign_off="Bien cordialement,\nRenée",
    ),
    "es": Language(
        answer="Sí, me interesa. ¿Podemos hablar el jueves?",
        second_answer="En remoto, a ser posible.",
        quoted=("Su trabajo en la plataforma de pagos me llamó la atención.", "¿Tendría tiempo para una llamada?"),
        header="El lun, 6 ene 2025 a las 10:00, Jane Recruiter (<jane@acme.test>) escribió:",
        fields=("De:", "Enviado el:", "Para:", "Asunto:"),
        original="-----Mensaje original-----",
        footer="Enviado desde mi iPhone",
        sign_off="Un saludo,\nLucía",
    ),
    "it": Language(
        answer="Sì, mi interessa. Possiamo sentirci giovedì?",
        second_answer="Da remoto, se possibile.",
        quoted=("Il suo lavoro sulla piattaforma di pagamenti mi ha colpito.", "Avrebbe tempo per una chiamata?"),
        header="Il giorno lun 6 gen 2025 alle ore 10:00 Jane Recruiter <jane@acme.test> ha scritto:",
        fields=("Da:", "Inviato:", "A:", "Oggetto:"),
        original="-----Messaggio originale-----",
        footer="Inviato da iPhone",
        sign_off="Cordiali saluti,\nMarco",
    ),
    "nl": Language(
        answer="Ja, graag. Kunnen we donderdag bellen?",
        second_answer="Het liefst op afstand.",
        quoted=("Uw werk aan het betaalplatform viel me op.", "Heeft u tijd voor een gesprek?"),
        header="Op ma 6 jan 2025 om 10:00 schreef Jane Recruiter <jane@acme.test>:",
        fields=("Van:", "Verzonden:", "Aan:", "Onderwerp:"),
        original="-----Oorspronkelijk bericht-----",
        footer="Verzonden vanaf mijn iPhone",
        sign_off="Met vriendelijke groet,\nDaan",
    ),
    "pt": Language(
        answer="Sim, tenho interesse. Podemos falar na quinta-feira?",
        second_answer="Remoto, de preferência.",
        quoted=("O seu trabalho na plataforma de pagamentos chamou a minha atenção.", "Teria tempo para uma chamada?"),
        header="Em seg., 6 de jan. de 2025 às 10:00, Jane Recruiter <jane@acme.test> escreveu:",
        fields=("De:", "Enviado:", "Para:", "Assunto:"),
        original="-----Mensagem original-----",
        footer="Enviado do meu iPhone",
        sign_off="Atenciosamente,\nJoão",
    ),
    "sv": Language(
        answer="Ja, det låter intressant. Kan vi prata på torsdag?",
        second_answer="Helst på distans.",
        quoted=("Ditt arbete med betalplattformen fångade mitt intresse.", "Har du tid för ett samtal?"),
        header="Den mån 6 jan. 2025 kl 10:00 skrev Jane Recruiter <jane@acme.test>:",
        fields=("Från:", "Skickat:", "Till:", "Ämne:"),
        original="-----Ursprungligt meddelande-----",
        footer="Skickat från min iPhone",
        sign_off="Vänliga hälsningar,\nElsa",
    ),
    "no": Language(
        answer="Ja, det høres spennende ut. Kan vi snakke torsdag?",
        second_answer="Helst på fjernarbeid.",
        quoted=("Arbeidet ditt med betalingsplattformen fanget min interesse.", "Har du tid til en samtale?"),
        header="man. 6. jan. 2025 kl. 10:00 skrev Jane Recruiter <jane@acme.test>:",
        fields=("Fra:", "Sendt:", "Til:", "Emne:"),
        original="-----Opprinnelig melding-----",
        footer="Sendt fra min iPhone",
        sign_off="Med vennlig hilsen\nOla",
    ),
    "da": Language(
        answer="Ja, det lyder spændende. Kan vi tale sammen torsdag?",
        second_answer="Helst hjemmefra.",
        quoted=("Dit arbejde med betalingsplatformen fangede min interesse.", "Har du tid til en samtale?"),
        header="Den man. 6. jan. 2025 kl. 10.00 skrev Jane Recruiter <jane@acme.test>:",
        fields=("Fra:", "Sendt:", "Til:", "Emne:"),
        original="-----Oprindelig meddelelse-----",
        footer="Sendt fra min iPhone",
        sign_off="Venlig hilsen\nFreja",
    ),
    "pl": Language(
        answer="Tak, jestem zainteresowana. Czy możemy porozmawiać w czwartek?",
        second_answer="Najchętniej zdalnie.",
        quoted=("Pani praca nad platformą płatności zwróciła moją uwagę.", "Czy ma Pani czas na rozmowę?"),
        header="W dniu pon., 6 sty 2025 o 10:00 Jane Recruiter <jane@acme.test> napisał(a):",
        fields=("Od:", "Wysłane:", "Do:", "Temat:"),
        original="-----Wiadomość oryginalna-----",
        footer="Wysłane z iPhone'a",
        sign_off="Pozdrawiam,\nAgnieszka",
    ),
    "ru": Language(
        answer="Да, мне интересно. Давайте созвонимся в четверг?",
        second_answer="Лучше удалённо.",
        quoted=("Ваша работа над платёжной платформой меня впечатлила.", "Найдётся ли у вас время на звонок?"),
        header="пн, 6 янв. 2025 г. в 10:00, Jane Recruiter <jane@acme.test>:",
        fields=("От:", "Отправлено:", "Кому:", "Тема:"),
        original="-----Исходное сообщение-----",
        footer="Отправлено с iPhone",
        sign_off="С уважением,\nИван",
    ),
    "ja": Language(
        answer="はい、興味があります。木曜日にお話しできますか？",
        second_answer="リモートを希望します。",
        quoted=("決済プラットフォームでのご経験に惹かれました。", "お電話でお話しできませんか？"),
        header="2025年1月6日(月) 10:00 Jane Recruiter <jane@acme.test>:",
        fields=("差出人:", "送信日時:", "宛先:", "件名:"),
        original="-----元のメッセージ-----",
        footer="iPhoneから送信",
        sign_off="よろしくお願いいたします。\n山田",
    ),
}


def _quote(language: Language) -> str:
    return "\n".join(f"> {line}" for line in ("Hi Sam,", *language.quoted, "Jane"))


def _wrapped(header: str, lines: int) -> str:
    """The header wrapped over `lines` lines, as a client with a narrow line does (between words only)."""
    wrapped = textwrap.wrap(header, width=len(header) // lines + 4, break_long_words=False, break_on_hyphens=False)
    assert len(wrapped) == lines, wrapped
    return "\n".join(wrapped)


def _outlook(language: Language) -> str:
    sender, sent, to, subject = language.fields
    return (
        f"{sender} Jane Recruiter <jane@acme.test>\n{sent} 6 Jan 2025 10:00\n{to} Sam Candidate\n"
        f"{subject} Acme\n\nHi Sam,\n\n{language.quoted[0]}\n\nJane"
    )


LAYOUTS = {
    "top-posted": lambda lang: f"{lang.answer}\n\n{lang.header}\n\n{_quote(lang)}\n",
    "wrapped over two lines": lambda lang: f"{lang.answer}\n\n{_wrapped(lang.header, 2)}\n\n{_quote(lang)}\n",
    "wrapped over three lines": lambda lang: f"{lang.answer}\n\n{_wrapped(lang.header, 3)}\n\n{_quote(lang)}\n",
    "header on the answer's line": lambda lang: f"{lang.answer} {lang.header}\n{_quote(lang)}\n",
    "bottom-posted": lambda lang: f"{lang.header}\n\n{_quote(lang)}\n\n{lang.answer}\n",
    "header without a quote mark": lambda lang: f"{lang.answer}\n\n{lang.header}\n\nHi Sam,\n\n{lang.quoted[0]}\n",
    "Outlook block": lambda lang: f"{lang.answer}\n\n{_outlook(lang)}\n",
    "Outlook block under a rule": lambda lang: f"{lang.answer}\n\n{'_' * 32}\n{_outlook(lang)}\n",
    "Outlook original message": lambda lang: f"{lang.answer}\n\n{lang.original}\n{_outlook(lang)}\n",
    "phone footer": lambda lang: f"{lang.answer}\n\n{lang.footer}\n\n{lang.header}\n\n{_quote(lang)}\n",
    "phone footer, nothing quoted": lambda lang: f"{lang.answer}\n\n{lang.footer}\n",
    "signature": lambda lang: (
        f"{lang.answer}\n\n-- \nSam Candidate\nSenior Engineer, Initech\n+44 20 7946 0958\n\n"
        f"{lang.header}\n\n{_quote(lang)}\n"
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_the_answer_is_kept_and_the_quoted_mail_goes(code, layout):
    language = LANGUAGES[code]

    assert clean_reply(LAYOUTS[layout](language)) == language.answer


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_answers_between_quoted_lines_are_kept_without_the_quoted_lines(code):
    language = LANGUAGES[code]
    first, second = language.quoted
    text = f"{language.header}\n\n> {first}\n\n{language.answer}\n\n> {second}\n\n{language.second_answer}\n"

    assert clean_reply(text) == f"{language.answer}\n\n{language.second_answer}"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_a_sign_off_is_kept(code):
    language = LANGUAGES[code]
    text = f"{language.answer}\n\n{language.sign_off}\n\n{language.header}\n\n{_quote(language)}\n"

    assert clean_reply(text) == f"{language.answer}\n\n{language.sign_off}"
