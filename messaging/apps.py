from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        from candidates.privacy import register_data_section
        from messaging.models import MessageTemplate
        from messaging.policy import may_contact_many
        from messaging.privacy import conversations_data
        from messaging.receivers import on_candidate_event
        from talentcircles import events
        from talentcircles.checklist import ChecklistItem, register_checklist_item
        from talentcircles.contact import register_may_contact

        register_data_section("conversations", conversations_data)
        # Erasure and merge of the person's conversations (see messaging/receivers.py).
        events.subscribe(on_candidate_event)
        # The candidate API's `may_contact` (see talentcircles/contact.py).
        register_may_contact(may_contact_many)
        register_checklist_item(
            ChecklistItem(key="template", label="Write a message template", order=30, url_name="template_create",
                          hint="Personal outreach, with tokens filled in for each candidate.",
                          done=lambda org: MessageTemplate.objects.for_org(org))
        )  # fmt: skip

    def seed_demo(self, *, org, recruiter, small: bool = False) -> None:
        """Three templates and one answered conversation, through the services; once."""
        from candidates.models import Candidate
        from messaging.delivery import message_deliver
        from messaging.models import Message, MessageTemplate
        from messaging.outbox import thread_start
        from messaging.services import message_receive

        for name, subject, body, shared in DEMO_TEMPLATES:
            MessageTemplate.objects.get_or_create(
                organization=org,
                name=name,
                defaults={"subject": subject, "body": body, "is_shared": shared, "owner": recruiter},
            )
        katherine = Candidate.objects.for_org(org).filter(email="katherine.johnson@example.com").first()
        if katherine is None or Message.objects.for_org(org).filter(candidate=katherine).exists():
            return
        first = thread_start(
            org=org,
            candidate=katherine,
            recruiter=recruiter,
            subject="Your trajectory work at NASA",
            body=DEMO_MESSAGE,
        )
        message_deliver(first.pk)  # now, so the timeline reads "sent" before "replied"
        message_receive(
            thread=first.thread,
            channel=Message.Channel.EMAIL,
            body_text="Thank you, Riley. I'd be glad to talk; Thursday afternoon suits me.",
            classification=Message.Classification.INTERESTED,
            from_email=katherine.email,
        )


DEMO_TEMPLATES = [
    (
        "Warm introduction",
        '{{ candidate.current_title|default:"Your work" }} at {{ candidate.current_company|default:"your team" }}',
        "Hi {{ candidate.first_name }},\n\n"
        'I read about your work as {{ candidate.current_title|default:"an engineer" }} at '
        '{{ candidate.current_company|default:"your company" }} and your experience with '
        '{{ candidate.skills|default:"the tools we use" }}. Our platform team at {{ organization.name }} '
        "is solving a similar problem. Would you be open to a 20-minute chat next week?\n\n"
        '{{ recruiter.full_name }}\n{{ recruiter.title|default:"Recruiter" }}',
        True,
    ),
    (
        "After a meetup",
        'Good to meet you at {{ circle.name|default:"our meetup" }}',
        "Hi {{ candidate.first_name }},\n\n"
        'Thanks for coming along to {{ circle.name|default:"our meetup" }}. You mentioned '
        '{{ candidate.skills|default:"your current project" }}; I\'d love to hear more over coffee.\n\n'
        "{{ recruiter.first_name }}",
        False,
    ),
    (
        "Checking back in",
        "Following up, {{ candidate.first_name }}",
        "Hi {{ candidate.first_name }},\n\n"
        "I wrote a few days ago about the team at {{ organization.name }}. If the timing is not right, no problem "
        "at all; if it is, I'd be glad to tell you more about the work over a short call.\n\n"
        "{{ recruiter.first_name }}",
        True,
    ),
]
DEMO_MESSAGE = (
    "Hi Katherine,\n\nYour orbital mechanics work at NASA, checking trajectories by hand that the machines "
    "had computed, is the rigour our flight-software team is looking for. Would you be open to a short call "
    "next week about what they are building?\n\nRiley"
)
