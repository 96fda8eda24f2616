"""Every change of evaluation state (改革评估), one function per act, each writing its
audit record in the same transaction: criteria templates and an evaluation's criteria
(`criteria`), the evaluation's life (`evaluations`), teams (`teams`), the work inside
an evaluation (`work`: self-assessments, scores, findings, tracking findings) and the
satisfaction-survey import (`survey`)."""

from reformledger.evaluation.services.common import file_open  # noqa: F401
from reformledger.evaluation.services.criteria import *  # noqa: F403
from reformledger.evaluation.services.evaluations import *  # noqa: F403
from reformledger.evaluation.services.teams import *  # noqa: F403
from reformledger.evaluation.services.work import *  # noqa: F403
