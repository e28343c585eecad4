#!/usr/bin/python3
"""A scripted XMPP client for Isthmus's interop tests (driven by XmppClientProcess).

Logs in with slixmpp to an XMPP server at an explicit IP address and port (no DNS, no TLS: the
test server listens on loopback only), then speaks JSON lines: one command per line on stdin,
one event per line on stdout, each line flushed. The process ends on a "quit" command, on end of
stdin, on a fatal error, or after --timeout seconds, whichever comes first.

    /usr/bin/python3 xmpp_client.py --jid alice@xmpp.test --password pw \
        --host 127.0.0.1 --port 5222 [--resource test] [--timeout 120]

Commands (stdin):
    {"cmd": "send", "to": "carol@xmpp.test", "body": "...", "type": "chat", "id": "m1", "e2e": "..."}
        type defaults to "chat", id to a fresh one; answered by {"event": "sent", "id": ...};
        "e2e", if given, is the text of an <e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/> child
        (RFC 3923 §9), and "body" may then be left out
    {"cmd": "presence", "to": "...", "type": "subscribe", "show": "away", "status": "..."}
        every field optional: without "to" it is broadcast presence, without "type" available;
        "show" and "status" go with available presence (RFC 6121 §4.7.2)
    {"cmd": "presence", "to": "...", "id": "p1", "e2e": "..."}
        directed presence carrying an RFC 3923 §4.1 <e2e/> child with this text; answered by
        {"event": "sent", "id": ...}
    {"cmd": "quit"}

Events (stdout):
    {"event": "ready", "jid": "alice@xmpp.test/test"}     after log-in and initial presence
    {"event": "message", "id", "from", "to", "type", "body", "thread", "error", "e2e", "headers"}
        "error" is null or {"type", "condition", "text"}; "body", "thread" and "e2e" (the text of an
        RFC 3923 <e2e/> child) may be null; "headers" maps XEP-0131 header names to values
    {"event": "presence", "from", "to", "id", "type", "show", "status", "error", "e2e", "headers"}
        also subscription requests: the client never answers one by itself (no auto-authorize,
        no auto-subscribe back), so the test decides with a "presence" command
    {"event": "sent", "id": ...}
    {"event": "failed", "reason": ...}                     then the process exits with status 2
    {"event": "closed", "reason": ...}                     the last line on an orderly end
Lines are ASCII only (non-ASCII characters as JSON \\u escapes), so the reader needs no charset.
"""

import argparse
import asyncio
import json
import logging
import sys
import threading
import uuid
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

CLIENT_NS = "jabber:client"
STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"
E2E_NS = "urn:ietf:params:xml:ns:xmpp-e2e"
SHIM_NS = "http://jabber.org/protocol/shim"


def emit(event, **fields):
    """Writes one event as one JSON line and flushes it at once."""
    fields = {"event": event, **fields}
    sys.stdout.write(json.dumps(fields, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def text_or_none(value):
    return str(value) if value not in (None, "") else None


def e2e_text(stanza):
    """The character data of an RFC 3923 <e2e/> child, or None."""
    e2e = stanza.xml.find("{%s}e2e" % E2E_NS)
    return None if e2e is None else (e2e.text or "")


def shim_headers(stanza):
    """The XEP-0131 headers of a stanza as a dict (the first value of each name)."""
    found = {}
    headers = stanza.xml.find("{%s}headers" % SHIM_NS)
    if headers is not None:
        for header in headers.findall("{%s}header" % SHIM_NS):
            found.setdefault(header.get("name"), header.text or "")
    return found


def stanza_error(stanza):
    """The stanza error as a dict, or None: read from the XML so any condition is reported."""
    error = stanza.xml.find("{%s}error" % CLIENT_NS)
    if error is None:
        return None
    condition, text = None, None
    for child in error:
        if not child.tag.startswith("{%s}" % STANZAS_NS):
            continue
        local = child.tag.split("}", 1)[1]
        if local == "text":
            text = child.text
        elif condition is None:
            condition = local
    return {"type": error.get("type"), "condition": condition, "text": text}


class ScriptedClient(ClientXMPP):

    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.finished = asyncio.get_event_loop().create_future()
        # Subscriptions are the test's to decide: report a request, never approve or return it.
        self.auto_authorize = None
        self.auto_subscribe = False
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0199")
        # One handler per stanza kind, so an error message carrying a body is reported once.
        self.register_handler(Callback("ScriptedMessage",
                                       MatchXPath("{%s}message" % CLIENT_NS), self.on_message))
        self.register_handler(Callback("ScriptedPresence",
                                       MatchXPath("{%s}presence" % CLIENT_NS), self.on_presence))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_all_auth", lambda _: self.fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self.fail("connection failed: %s" % e))
        self.add_event_handler("disconnected", lambda _: self.finish("disconnected"))

    async def on_session_start(self, _):
        try:
            await self.get_roster(timeout=10)
        except Exception as e:  # the roster is a courtesy; messages work without it
            logging.warning("roster request failed: %s", e)
        # Priority >= 0 so that the server delivers messages sent to the bare JID here.
        self.send_presence(ppriority=1)
        emit("ready", jid=str(self.boundjid))

    def on_message(self, msg):
        emit("message",
             id=text_or_none(msg["id"]),
             **{"from": text_or_none(msg["from"])},
             to=text_or_none(msg["to"]),
             type=msg.xml.get("type", "normal"),
             body=text_or_none(msg["body"]),
             thread=text_or_none(msg["thread"]),
             error=stanza_error(msg),
             e2e=e2e_text(msg),
             headers=shim_headers(msg))

    def on_presence(self, pres):
        emit("presence",
             **{"from": text_or_none(pres["from"])},
             to=text_or_none(pres["to"]),
             id=text_or_none(pres["id"]),
             type=pres.xml.get("type", "available"),
             show=text_or_none(pres["show"]),
             status=text_or_none(pres["status"]),
             error=stanza_error(pres),
             e2e=e2e_text(pres),
             headers=shim_headers(pres))

    def command(self, line):
        try:
            cmd = json.loads(line)
            kind = cmd.get("cmd")
            if kind == "send":
                msg = self.make_message(mto=cmd["to"], mbody=cmd.get("body"),
                                        mtype=cmd.get("type", "chat"))
                msg["id"] = cmd.get("id") or uuid.uuid4().hex
                if cmd.get("e2e") is not None:
                    e2e = ET.SubElement(msg.xml, "{%s}e2e" % E2E_NS)
                    e2e.text = cmd["e2e"]
                msg.send()
                emit("sent", id=msg["id"])
            elif kind == "presence" and cmd.get("e2e") is not None:
                pres = self.make_presence(pto=cmd["to"])
                pres["id"] = cmd.get("id") or uuid.uuid4().hex
                e2e = ET.SubElement(pres.xml, "{%s}e2e" % E2E_NS)
                e2e.text = cmd["e2e"]
                pres.send()
                emit("sent", id=pres["id"])
            elif kind == "presence":
                broadcast = cmd.get("to") is None and cmd.get("type") is None
                # A changed broadcast presence keeps the session's priority (see on_session_start).
                self.send_presence(pto=cmd.get("to"), ptype=cmd.get("type"), pshow=cmd.get("show"),
                                   pstatus=cmd.get("status"), ppriority=1 if broadcast else None)
            elif kind == "quit":
                self.finish("quit")
            else:
                emit("unknown-command", line=line)
        except (ValueError, KeyError, TypeError) as e:
            emit("bad-command", line=line, reason=str(e))

    def fail(self, reason):
        if not self.finished.done():
            emit("failed", reason=reason)
            self.finished.set_result(2)

    def finish(self, reason):
        if not self.finished.done():
            emit("closed", reason=reason)
            self.finished.set_result(0)


def read_stdin(loop, client):
    """Feeds stdin lines to the client from a daemon thread; end of input ends the session."""
    for line in sys.stdin:
        if line.strip():
            loop.call_soon_threadsafe(client.command, line)
    loop.call_soon_threadsafe(client.finish, "end of input")


async def run(args):
    loop = asyncio.get_event_loop()
    jid = args.jid + ("/" + args.resource if args.resource else "")
    client = ScriptedClient(jid, args.password)
    # The test server offers no TLS on loopback: do not insist on STARTTLS, never attempt it.
    client.connect(address=(args.host, args.port), force_starttls=False, disable_starttls=True)
    threading.Thread(target=read_stdin, args=(loop, client), daemon=True).start()
    try:
        status = await asyncio.wait_for(client.finished, timeout=args.timeout)
    except asyncio.TimeoutError:
        emit("closed", reason="timeout after %s s" % args.timeout)
        status = 0
    try:
        await asyncio.wait_for(client.disconnect(wait=2), timeout=3)
    except Exception:  # already gone, or the server did not answer the close in time
        pass
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--resource", default="test")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before the client logs out and exits regardless")
    parser.add_argument("--debug", action="store_true", help="slixmpp debug log on stderr")
    args = parser.parse_args()
    sys.stdin.reconfigure(encoding="utf-8")
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    status = loop.run_until_complete(run(args))
    pending = asyncio.all_tasks(loop)  # slixmpp's own background tasks: end them quietly
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    sys.exit(status)


if __name__ == "__main__":
    main()
