from django.contrib import admin, messages

from messaging.models import InboundEmail, Message, MessageTemplate, Thread


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "owner", "is_shared", "archived_at", "updated_at"]
    list_filter = ["is_shared", "organization"]
    search_fields = ["name", "subject", "body"]
    autocomplete_fields = ["organization", "owner"]
    list_select_related = ["organization", "owner"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = readonly_fields = (
        "direction", "channel", "status", "subject", "is_auto_reply", "classification", "created_at", "sent_at",
    )  # fmt: skip
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "candidate", "recruiter", "organization", "origin", "last_message_at"]
    list_filter = ["origin", "started_by", "organization"]
    search_fields = ["subject", "candidate__first_name", "candidate__last_name", "candidate__email"]
    autocomplete_fields = ["organization", "candidate", "recruiter"]
    list_select_related = ["candidate", "recruiter", "organization"]
    readonly_fields = ["reply_token", "created_at"]
    inlines = [MessageInline]
    date_hierarchy = "last_message_at"


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "direction", "channel", "status", "candidate", "organization", "created_at", "attempts"]
    list_filter = ["direction", "channel", "status", "is_auto_reply", "classification", "organization"]
    search_fields = ["subject", "message_id_header", "to_email", "from_email"]
    autocomplete_fields = ["organization", "thread", "candidate", "sender", "template"]
    list_select_related = ["candidate", "organization"]
    readonly_fields = [
        "message_id_header",
        "idempotency_key",
        "body_fingerprint",
        "claimed_at",
        "sent_at",
        "received_at",
    ]
    date_hierarchy = "created_at"
    actions = ["requeue"]

    @admin.action(description="Queue failed messages again", permissions=["change"])
    def requeue(self, request, queryset):
        """Only failed outgoing messages: a sent one is never sent again."""
        from messaging.outbox import queue_delivery

        failed = list(queryset.filter(direction=Message.Direction.OUT, status=Message.Status.FAILED))
        Message.objects.filter(pk__in=[m.pk for m in failed], status=Message.Status.FAILED).update(
            status=Message.Status.QUEUED, attempts=0, next_attempt_at=None, last_error=""
        )
        queue_delivery(failed)
        self.message_user(request, f"Queued {len(failed)} failed message(s) again.", messages.SUCCESS)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_email", "organization", "status", "is_auto_reply", "received_at"]
    list_filter = ["status", "is_auto_reply", "organization"]
    search_fields = ["subject", "from_email", "message_id_header", "dedup_key"]
    autocomplete_fields = ["organization", "message", "assigned_by"]
    list_select_related = ["organization"]
    readonly_fields = ["dedup_key", "message_id_header", "raw", "received_at"]
    date_hierarchy = "received_at"
