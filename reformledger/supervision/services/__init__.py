"""Every change of supervision state (督查督办), one function per act, each writing its
audit record in the same transaction.

Orders and action items are *matters*: the unit signs for one (`matter_receive`,
签收), then answers it (`answer_submit`); the office accepts (`answer_accept`) or
returns (`answer_return`) the answer. An order unanswered at its deadline climbs one
level with a new deadline (`orders_escalate`, run daily by the task queue) and its
unit and head are told; an order left unsigned too long is reported to the issuing
office's staff once (`orders_unsigned_notify`, run daily too). Office staff draft
an order for an office leader to sign (`order_draft_submit`, 提请签发); the leader signs
it (`order_draft_sign`, which issues it) or returns it (`order_draft_return`).
"""

from reformledger.supervision.services.drafts import *  # noqa: F403
from reformledger.supervision.services.meetings import *  # noqa: F403
from reformledger.supervision.services.orders import *  # noqa: F403
