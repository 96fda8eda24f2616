"""Every change of state of pilots and innovations, one function per act, each writing
its audit record in the same transaction (STYLE.md)."""

from reformledger.pilots.services.innovations import *  # noqa: F403
from reformledger.pilots.services.investment import *  # noqa: F403
from reformledger.pilots.services.pilots import *  # noqa: F403
from reformledger.pilots.services.sub_projects import *  # noqa: F403
