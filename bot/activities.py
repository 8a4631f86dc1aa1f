"""Translation between Bot Framework activities and Rakel's own types (core.messages)."""

from __future__ import annotations

import base64
import json
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from core.language import detect_language
from core.messages import CardAction, Citation, Incoming, IncomingAttachment, Reply

MAX_TEXT_CHARS = 10_000
SHARED_CONVERSATIONS = ("channel", "groupChat")  # conversation types that are not a 1:1 chat
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info"
ANSWER_FEEDBACK_VERB = "answer_feedback"  # Teams' own thumbs up/down (message/submitAction invoke)


def _attachments(activity: Activity) -> tuple[IncomingAttachment, ...]:
    found = []
    for attachment in activity.attachments or []:
        content_type = attachment.content_type or ""
        if content_type == TEAMS_FILE and isinstance(attachment.content, dict):
            url = attachment.content.get("downloadUrl", "")
            found.append(IncomingAttachment(attachment.name or "fil", attachment.content.get("fileType", ""), url))
        elif content_type.startswith("image/") or (attachment.content_url and content_type != "text/html"):
            found.append(IncomingAttachment(attachment.name or "bilde", content_type, attachment.content_url or ""))
    return tuple(found)


def _action(activity: Activity) -> CardAction | None:
    value = activity.value if isinstance(activity.value, dict) else None
    if activity.type == ActivityTypes.invoke and activity.name == "adaptiveCard/action" and value:
        action = value.get("action") or {}
        return CardAction(str(action.get("verb") or ""), dict(action.get("data") or {}), activity.reply_to_id)
    if activity.type == ActivityTypes.invoke and activity.name == "message/submitAction" and value:
        action_value = value.get("actionValue") or {}
        feedback = action_value.get("feedback") or "{}"
        try:
            comment = json.loads(feedback).get("feedbackText", "") if isinstance(feedback, str) else ""
        except ValueError:
            comment = ""
        data = {"reaction": action_value.get("reaction", ""), "comment": comment}
        return CardAction(ANSWER_FEEDBACK_VERB, data, activity.reply_to_id)
    if activity.type == ActivityTypes.message and value and value.get("verb"):
        # Action.Submit from clients without universal actions
        return CardAction(str(value["verb"]), {k: v for k, v in value.items() if k != "verb"}, activity.reply_to_id)
    return None


def _im_back_text(activity: Activity) -> str:
    """The text of an imBack button when a client sent only the button's data (Teams sends the text)."""
    value = activity.value if isinstance(activity.value, dict) else {}
    teams = value.get("msteams") if isinstance(value.get("msteams"), dict) else {}
    return str(teams.get("value") or "") if teams.get("type") == "imBack" else ""


def incoming_from(context: TurnContext) -> Incoming:
    activity = context.activity
    text = TurnContext.remove_recipient_mention(activity) if activity.entities else (activity.text or "")
    text = (text or "").strip() or _im_back_text(activity)
    truncated = len(text) > MAX_TEXT_CHARS
    text = text[:MAX_TEXT_CHARS]
    return Incoming(
        text=text,
        language=detect_language(text),
        conversation_id=activity.conversation.id if activity.conversation else "",
        activity_id=activity.id or "",
        action=_action(activity),
        attachments=_attachments(activity),
        truncated=truncated,
        shared=bool(activity.conversation and activity.conversation.conversation_type in SHARED_CONVERSATIONS),
    )


def _citation_json(citations: list[Citation], ai_generated: bool) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "type": "https://schema.org/Message", "@type": "Message", "@context": "https://schema.org", "@id": "",
    }
    if ai_generated:
        entity["additionalType"] = ["AIGeneratedContent"]
    if citations:
        entity["citation"] = [
            {
                "@type": "Claim",
                "position": position,
                "appearance": {
                    "@type": "DigitalDocument",
                    "name": (citation.title or citation.url)[:80],
                    "url": citation.url,
                    "abstract": citation.snippet[:160],
                },
            }
            for position, citation in enumerate(citations, start=1)
        ]
    return entity


def _account(account: Any) -> dict[str, str]:
    fields = {"id": account.id, "name": account.name, "aadObjectId": getattr(account, "aad_object_id", None)}
    return {key: value for key, value in fields.items() if value}


def conversation_reference_json(activity: Activity) -> dict[str, Any]:
    """The ConversationReference of an incoming activity as JSON, as botbuilder's
    ``TurnContext.get_conversation_reference(...).serialize()`` gives it, without msrest (every turn)."""
    conversation = activity.conversation
    reference: dict[str, Any] = {
        "activityId": activity.id,
        "user": _account(activity.from_property),
        "bot": _account(activity.recipient),
        "conversation": {key: value for key, value in {
            "id": conversation.id, "conversationType": conversation.conversation_type,
            "tenantId": conversation.tenant_id, "isGroup": conversation.is_group, "name": conversation.name,
        }.items() if value is not None},
        "channelId": activity.channel_id,
        "serviceUrl": activity.service_url,
    }
    if activity.locale:
        reference["locale"] = activity.locale
    return reference


def activity_json(reply: Reply) -> dict[str, Any]:
    """The reply as Bot Framework activity JSON (without addressing): the one renderer of replies."""
    activity: dict[str, Any] = {"type": ActivityTypes.message, "textFormat": "markdown", "inputHint": "acceptingInput"}
    if reply.text:
        activity["text"] = reply.text
    if reply.card is not None:
        activity["attachments"] = [{"contentType": ADAPTIVE_CARD, "content": reply.card}]
    if reply.images:
        activity.setdefault("attachments", []).extend(
            {"contentType": image.content_type, "name": image.name,
             "contentUrl": f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"}
            for image in reply.images
        )
    if reply.suggestions:
        activity["suggestedActions"] = {
            "actions": [{"type": "imBack", "title": text, "value": text} for text in reply.suggestions]
        }
    if reply.citations or reply.ai_generated:
        activity["entities"] = [_citation_json(reply.citations, reply.ai_generated)]
    if reply.feedback:
        activity["channelData"] = {"feedbackLoopEnabled": True}
    return activity


def addressed(reply: Reply, reference: dict[str, Any]) -> dict[str, Any]:
    """The reply addressed by a conversation reference, as botbuilder's apply_conversation_reference does
    it: from the bot, to the user, in the reference's conversation, in reply to its activity (if any)."""
    activity = activity_json(reply)
    activity.update({
        "channelId": reference["channelId"],
        "serviceUrl": reference["serviceUrl"],
        "conversation": reference["conversation"],
        "from": reference["bot"],
    })
    if reference.get("user"):
        activity["recipient"] = reference["user"]
    if reference.get("activityId"):
        activity["replyToId"] = reference["activityId"]
    if "locale" in reference:
        activity["locale"] = reference["locale"]
    return activity


# The adaptiveCard/action invoke response bodies. They are plain JSON because bot/server.py serialises
# invoke responses itself (botbuilder's CloudAdapter.process would need schema models here, and its
# AdaptiveCardInvokeResponse model cannot carry the message variant, whose value is a string).
def invoke_card_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card}


def invoke_message_response(message: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": message}
