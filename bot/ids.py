"""Every identifier casebot shares with Slack, so a typo cannot split a listener from its button."""

from enum import StrEnum


class Sub(StrEnum):
    HELP = "help"
    OPEN = "open"
    LIST = "list"
    ADMIN = "admin"
    AWAY = "away"
    DISCUSS = "discuss"
    ASK = "ask"
    RECORD = "record"
    NOTES = "notes"
    EXPORT = "export"
    OVERDUE = "overdue"
    DIGEST = "digest"
    SUPERVISION = "supervision"
    REVIEW = "review"
    AGREEMENT = "agreement"
    CLOSE = "close"


class CallbackId(StrEnum):
    AGREEMENT = "agreement_modal"
    ADD_TO_RECORD = "add_to_case_record"
    DISCUSSION_START = "discussion_start_modal"
    CAPTURE_KIND = "capture_kind_modal"
    SUMMARY = "summary_modal"
    AMEND = "note_amend_modal"
    ACTION_EXTEND = "action_extend_modal"
    ACTION_CANNOT = "action_cannot_modal"
    SUPERVISION = "supervision_modal"
    REVIEW = "review_modal"
    DIFFERENCE = "difference_modal"
    CLOSE = "close_modal"
    AGREEMENT_CHANGE = "agreement_change_modal"


class ActionId(StrEnum):
    SUPERVISION_RECORD = "supervision_record"
    REVIEW_OPEN = "review_open"
    AGREE = "agree_to_agreement"
    CARD_AGREEMENT = "card_show_agreement"
    AGREEMENT_CHANGE = "agreement_change"
    REMINDER_START = "reminder_start"
    REMINDER_SNOOZE = "reminder_snooze"
    REMINDER_RESCHEDULE = "reminder_reschedule"
    REMINDER_MET = "reminder_met"
    CARD_START_DISCUSSION = "card_start_discussion"
    CARD_ASK = "card_ask_question"
    QUESTION_NEXT = "question_next"
    QUESTION_ANOTHER_LENS = "question_another_lens"
    QUESTION_SKIP = "question_skip"
    QUESTION_WRAP_UP = "question_wrap_up"
    # Opens the summary form for a wrapped-up discussion; value: the discussion id. Used on the wrap-up
    # note, the card and the late-summary reminders.
    SUMMARY_OPEN = "summary_open"
    NOTE_SHOW = "note_show"
    NOTE_AMEND = "note_amend"
    # An action's follow-up DM; value: "action_id:round".
    ACTION_DONE = "action_done"
    ACTION_EXTEND = "action_extend"
    ACTION_CANNOT = "action_cannot"
    # An urgent concern's alert DM; value: the concern id.
    URGENT_ACKNOWLEDGE = "urgent_acknowledge"
    # A case manager's DM: approve a cover reading the case's notes; value: "leave_id:case_id".
    COVER_APPROVE = "cover_approve"
    # A difference of view's *Resolve or escalate* (card, review and supervision modals); value: item id.
    DIFFERENCE_RESOLVE = "difference_resolve"
    # A closed case's card: its notes, privately; value: the case id.
    CARD_NOTES = "card_notes"


class Block(StrEnum):
    REFERENCE = "reference"
    COWORKERS = "coworkers"
    LEAD = "lead"
    DEVELOPING = "developing"
    REASONS = "reasons"
    DISCUSSION_FREQUENCY = "discussion_frequency"
    DISCUSSION_CUSTOM = "discussion_custom"
    DISCUSSION_DAY = "discussion_day"
    DISCUSSION_TIME = "discussion_time"
    RECORDER = "recorder"
    SUPERVISION_FREQUENCY = "supervision_frequency"
    LEARNING_GOALS = "learning_goals"
    INFORMATION_SHARING = "information_sharing"
    REVIEW_DATE = "review_date"
    RESPONSIBILITY_PREFIX = "resp_"
    FOCUS = "focus"
    FRAMEWORK = "framework"
    CAPTURE_KIND = "capture_kind"
    EVENT_DAY = "event_day"
    KEEP_CHECKED = "keep_checked"
    AMEND_REASON = "amend_reason"
    ACTION_DUE = "action_due"
    ACTION_REASON = "action_reason"
