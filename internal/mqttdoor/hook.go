package mqttdoor

import (
	"context"
	"net"
	"slices"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/tend-health/tend/internal/audit"
	"github.com/tend-health/tend/internal/errs"
)

// reasonTopic is the refusal reason counted on a device that publishes
// outside its own branch of the topic tree.
const reasonTopic = "topic"

// hook is where the broker hands the door its decisions: who may connect,
// which topics a device may use, and what a publish means.
type hook struct {
	mqtt.HookBase
	door *Door
}

func (h *hook) ID() string { return "tend-door" }

func (h *hook) Provides(b byte) bool {
	return slices.Contains([]byte{mqtt.OnConnect, mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPublish}, b)
}

// deviceOf returns the id of the device a client signed in as. The user
// name was checked against the device's credential when it connected.
func deviceOf(cl *mqtt.Client) string { return string(cl.Properties.Username) }

// OnConnect runs before authentication: it bounds the keep-alive and
// refuses a will message aimed outside the device's branch (the broker
// sends wills straight to subscribers, past the access checks).
func (h *hook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
	d := h.door
	maxKA := uint16(d.cfg.MaxKeepAlive / time.Second)
	if cl.State.Keepalive == 0 || cl.State.Keepalive > maxKA {
		cl.State.Keepalive = maxKA
		cl.State.ServerKeepalive = true
	}
	if pk.Connect.WillFlag && !mayPublish(pk.Connect.WillTopic, string(pk.Connect.Username)) {
		d.log.Info("connection refused: will topic outside the device's branch", "device", string(pk.Connect.Username),
			"remote", remote(cl))
		_ = d.server.SendConnack(cl, packets.ErrNotAuthorized, false, nil)
		return packets.ErrNotAuthorized
	}
	return nil
}

// OnConnectAuthenticate checks the device's id and credential.
func (h *hook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	d := h.door
	id := string(pk.Connect.Username)
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	ctx = audit.WithActor(ctx, audit.Actor{ID: id, Kind: "device"})
	ctx = audit.WithOrigin(ctx, audit.Origin{IP: remote(cl), UserAgent: "mqtt"})
	if id == "" || !pk.Connect.PasswordFlag {
		d.log.Info("connection refused: no device id or credential", "remote", remote(cl))
		return false
	}
	dev, err := d.deps.Devices.Authenticate(ctx, id, string(pk.Connect.Password))
	if err != nil {
		if errs.KindOf(err) == errs.Internal {
			d.log.Error("checking a device's credential", "device", id, "err", err)
			// Say "try later" rather than "wrong password".
			_ = d.server.SendConnack(cl, packets.ErrServerUnavailable, false, nil)
			cl.Stop(err)
			return false
		}
		d.log.Info("connection refused: unknown device or wrong credential", "device", id, "remote", remote(cl))
		d.record(ctx, audit.Event{Action: "mqtt.connect", Resource: "devices/" + id, Outcome: audit.Denied,
			Detail: "unknown device or wrong credential"})
		return false
	}
	// Client ids are one namespace in the broker: keep each device's apart,
	// so that no device can take over another's session.
	cl.ID = dev.ID + "/" + cl.ID
	d.log.Debug("device connected", "device", dev.ID, "remote", remote(cl), "protocol", cl.Properties.ProtocolVersion)
	d.record(ctx, audit.Event{Action: "mqtt.connect", Resource: "devices/" + dev.ID, PatientID: dev.PatientID, Outcome: audit.Success})
	return true
}

// OnACLCheck keeps each device in its own branch.
func (h *hook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	id := deviceOf(cl)
	if !write {
		return maySubscribe(topic, id)
	}
	if mayPublish(topic, id) {
		return true
	}
	h.door.log.Info("publish refused: outside the device's branch", "device", id)
	h.door.deps.Devices.Refused(id, reasonTopic, 1)
	return false
}

// OnPublish does the door's work before the broker acknowledges: a publish
// is acknowledged once what it carried is committed, or known never to be
// storable. On a fault of Tend's own the client is disconnected without an
// acknowledgement, so that it sends the publish again.
func (h *hook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil // the door's own results
	}
	d := h.door
	id := deviceOf(cl)
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.IngestTimeout)
	defer cancel()
	ctx = audit.WithActor(ctx, audit.Actor{ID: id, Kind: "device"})
	ctx = audit.WithOrigin(ctx, audit.Origin{IP: remote(cl), UserAgent: "mqtt"})
	msg := publish{topic: pk.TopicName, payload: pk.Payload, packetID: pk.PacketID, redelivery: pk.FixedHeader.Dup}
	for _, p := range pk.Properties.User {
		if p.Key == "externalId" {
			msg.externalID = p.Val
		}
	}
	a, err := d.handle(ctx, id, msg)
	if err != nil {
		d.log.Error("publish not acknowledged: ingest failed; disconnecting so that the client sends it again",
			"device", id, "topic", pk.TopicName, "err", err)
		d.drop(cl)
		return pk, packets.ErrRejectPacket
	}
	d.answer(id, a)
	// Consumed here: neither retained nor passed on to subscribers.
	return pk, packets.CodeSuccessIgnore
}

// drop ends a client's connection after a fault, telling an MQTT 5 client
// to try again later.
func (d *Door) drop(cl *mqtt.Client) {
	if cl.Properties.ProtocolVersion >= 5 {
		_ = d.server.DisconnectClient(cl, packets.ErrServerBusy)
		return
	}
	cl.Stop(packets.ErrServerBusy)
}

func (d *Door) record(ctx context.Context, e audit.Event) {
	if d.deps.Audit == nil {
		return
	}
	if err := d.deps.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		d.log.Error("audit write failed", "action", e.Action, "err", err)
	}
}

func remote(cl *mqtt.Client) string {
	host, _, err := net.SplitHostPort(cl.Net.Remote)
	if err != nil {
		return cl.Net.Remote
	}
	return host
}
