"""Posting one message to a group robot: WeCom (企业微信) or DingTalk (钉钉).

Both take a JSON POST to the robot's webhook address and answer JSON with `errcode`
(0: accepted):

- WeCom group robot (群机器人): `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`,
  body `{"msgtype": "markdown", "markdown": {"content": …}}`, at most 4096 bytes of
  content.
- DingTalk custom robot (自定义机器人): `https://oapi.dingtalk.com/robot/send?access_token=…`,
  body `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`. A robot with
  signing (加签) takes `&timestamp=<ms>&sign=<sign>` on the address, the sign being
  the URL-encoded base64 of HMAC-SHA256 (key: the secret) of "<timestamp>\\n<secret>";
  a wrong one is answered with errcode 310000.

Any other answer — errcode ≠ 0, an HTTP error, no answer in time, no connection — is
a `SendError` with a short reason that never holds the robot's key or secret. Plain
stdlib (urllib): it honours HTTPS_PROXY / NO_PROXY like any other client.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

#: Content the platforms take at most, in UTF-8 bytes (WeCom's markdown limit).
MAX_CONTENT_BYTES = 4000
#: Bytes of an answer read at most.
_MAX_ANSWER = 64 * 1024
_MASK = "••••"


class SendError(Exception):
    """The platform did not take the message; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- The message -----------------------------------------------------------------


def markdown(*, title: str, lines: list[str], link_label: str = "", url: str = "") -> str:
    """The message as both platforms' markdown: the title in bold, the lines as
    paragraphs, and the link; cut to MAX_CONTENT_BYTES."""
    parts = [f"**{_one_line(title)}**", *[line for line in lines if line.strip()]]
    tail = f"[{link_label}]({url})" if url else ""
    room = MAX_CONTENT_BYTES - len(tail.encode()) - 8
    text = _fit("\n\n".join(parts), room)
    return f"{text}\n\n{tail}" if tail else text


def payload(platform: str, *, title: str, content: str) -> dict:
    """The JSON body a platform's robot takes for a markdown message."""
    if platform == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if platform == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": _one_line(title)[:100], "text": content},
        }
    raise ValueError(f"unknown platform {platform!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature (加签), before URL-encoding: base64 of HMAC-SHA256 with the
    secret as key over "<timestamp>\\n<secret>"."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The address with DingTalk's `timestamp` and `sign` added (none without a secret)."""
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


# --- Sending ---------------------------------------------------------------------


def post(*, platform: str, url: str, secret: str, body: dict, timeout: float) -> None:
    """POST `body` to the robot; returns when the platform answered errcode 0, raises
    `SendError` otherwise."""
    if not is_web_address(url):
        raise SendError("not an http(s) address")
    address = signed_url(url, secret) if platform == "dingtalk" else url
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        address,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(_MAX_ANSWER)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from None
    except TimeoutError:
        raise SendError(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise SendError(f"no answer within {timeout:g} s") from None
        raise SendError(f"cannot connect: {_reason(reason)}") from None
    except OSError as exc:
        raise SendError(f"connection failed: {_reason(exc)}") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError(f"unreadable answer (HTTP {status})") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {code}: {str(message)[:200]}")


def _reason(reason) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)[:200] or reason.__class__.__name__


# --- Keeping the secrets out of pages, logs and the trail ----------------------------


def is_web_address(url: str) -> bool:
    parts = urllib.parse.urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def mask_url(url: str) -> str:
    """The webhook address with every query value (the robot's key or access token)
    cut to its last four characters, and no user or password."""
    parts = urllib.parse.urlsplit(url or "")
    if not parts.scheme:
        return _MASK if url else ""
    query = "&".join(
        f"{name}={mask_secret(value, keep_prefix=False)}"
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, query, ""))


def mask_secret(secret: str, *, keep_prefix: bool = True) -> str:
    """A secret as pages show it: DingTalk's "SEC" prefix and the last four characters;
    a short one not at all."""
    if not secret:
        return ""
    if len(secret) < 12:
        return _MASK
    prefix = secret[:3] if keep_prefix and secret.startswith("SEC") else ""
    return f"{prefix}{_MASK}{secret[-4:]}"


def scrub(text: str, *secrets: str) -> str:
    """`text` with each of `secrets` (and each query value of an address among them)
    replaced by the mask: for error messages written to the log or a page."""
    for secret in secrets:
        if not secret:
            continue
        values = [v for _, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(secret).query)]
        for value in [secret, *values]:
            if len(value) >= 4:
                text = text.replace(value, _MASK)
    return text


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _fit(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes, on a character boundary, marked with "…"."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(0, limit - 3)].decode("utf-8", errors="ignore") + "…"
