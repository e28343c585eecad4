-- Prosody for docker-compose.yml: the XMPP domain xmpp.test with Isthmus attached as the
-- external component sip.xmpp.test (XEP-0114). For a first look only: TLS is not required.
admins = { }
modules_enabled = {
    "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "register"; "posix";
}
allow_registration = false
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"
data_path = "/var/lib/prosody"
log = { info = "*console" }

-- Listen on every interface inside the container; compose publishes only c2s.
interfaces = { "*" }
component_interfaces = { "*" }
component_ports = { 5347 }

VirtualHost "xmpp.test"

-- Isthmus: SIP users appear as user\40sip.domain@sip.xmpp.test.
Component "sip.xmpp.test"
    component_secret = os.getenv("ISTHMUS_COMPONENT_SECRET") or "change-me"
