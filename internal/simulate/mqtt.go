package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// mqttSender publishes each device's readings to its own topic of the
// MQTT door, tend/devices/{id}/readings, with QoS 1, signed in with the
// device's id and credential, one connection per device. The door
// acknowledges a publish once the readings are committed, and answers
// what became of each on tend/devices/{id}/results, which the sender
// subscribes to and counts.
type mqttSender struct {
	addr    string
	timeout time.Duration
	c       *counter

	mu      sync.Mutex
	clients map[*Device]*mqttClient
}

type mqttClient struct {
	send sync.Mutex // one publish at a time, so answers come in order
	cl   paho.Client

	mu      sync.Mutex
	pending []int // readings of each publish not yet answered, oldest first
	done    chan struct{}
}

// mqttAnswer is what the door publishes on a device's results topic.
type mqttAnswer struct {
	Results []result `json:"results"`
	Error   *struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"error"`
}

func (s *mqttSender) client(ctx context.Context, d *Device) (*mqttClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		s.clients = map[*Device]*mqttClient{}
	}
	if mc := s.clients[d]; mc != nil {
		return mc, nil
	}
	mc := &mqttClient{}
	opts := paho.NewClientOptions().AddBroker("tcp://" + s.addr).
		SetClientID("sim-" + d.Serial).SetUsername(d.ID).SetPassword(d.Credential).
		SetProtocolVersion(4).SetCleanSession(true).SetAutoReconnect(true).SetOrderMatters(false).
		SetConnectTimeout(s.timeout).SetWriteTimeout(s.timeout).SetKeepAlive(30 * time.Second)
	results := "tend/devices/" + d.ID + "/results"
	opts.SetOnConnectHandler(func(cl paho.Client) {
		cl.Subscribe(results, 1, func(_ paho.Client, msg paho.Message) { mc.answer(msg.Payload(), s.c) })
	})
	cl := paho.NewClient(opts)
	tok := cl.Connect()
	if !tok.WaitTimeout(s.timeout) {
		return nil, fmt.Errorf("connecting to the MQTT door at %s: no answer in %s", s.addr, s.timeout)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("connecting to the MQTT door at %s as device %s: %w", s.addr, d.ID, err)
	}
	// Wait for the subscription, so that no answer is missed.
	sub := cl.Subscribe(results, 1, func(_ paho.Client, msg paho.Message) { mc.answer(msg.Payload(), s.c) })
	if !sub.WaitTimeout(s.timeout) || sub.Error() != nil {
		cl.Disconnect(100)
		return nil, fmt.Errorf("subscribing to %s: %v", results, sub.Error())
	}
	mc.cl = cl
	s.clients[d] = mc
	return mc, nil
}

// answer counts one answer of the door: it answers the oldest publish
// not yet answered.
func (mc *mqttClient) answer(payload []byte, c *counter) {
	var a mqttAnswer
	if err := json.Unmarshal(payload, &a); err != nil {
		return
	}
	mc.mu.Lock()
	n := 0
	if len(mc.pending) > 0 {
		n, mc.pending = mc.pending[0], mc.pending[1:]
	}
	if len(mc.pending) == 0 && mc.done != nil {
		close(mc.done)
		mc.done = nil
	}
	mc.mu.Unlock()
	if a.Error != nil {
		c.refused(a.Error.Reason, n)
		return
	}
	for _, r := range a.Results {
		c.outcome(r.Outcome, r.Reason)
	}
}

func (s *mqttSender) send(ctx context.Context, d *Device, ms []Measurement, c *counter) error {
	n := readingCount(ms)
	mc, err := s.client(ctx, d)
	if err != nil {
		c.errors(n)
		return err
	}
	payload, err := json.Marshal(struct {
		Readings []item `json:"readings"`
	}{items(ms)})
	if err != nil {
		c.errors(n)
		return err
	}
	mc.send.Lock()
	defer mc.send.Unlock()
	mc.mu.Lock()
	mc.pending = append(mc.pending, n)
	mc.mu.Unlock()
	tok := mc.cl.Publish("tend/devices/"+d.ID+"/readings", 1, false, payload)
	ok := tok.WaitTimeout(s.timeout)
	if !ok || tok.Error() != nil {
		mc.mu.Lock()
		if len(mc.pending) > 0 {
			mc.pending = mc.pending[:len(mc.pending)-1]
		}
		mc.mu.Unlock()
		c.errors(n)
		if !ok {
			return fmt.Errorf("publishing for %s: no acknowledgement in %s", d, s.timeout)
		}
		return fmt.Errorf("publishing for %s: %w", d, tok.Error())
	}
	c.sent(DoorMQTT, n)
	return nil
}

// close waits a little for the answers still due, counts those that did
// not come, and disconnects.
func (s *mqttSender) close(c *counter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for _, mc := range s.clients {
		mc.mu.Lock()
		var wait chan struct{}
		if len(mc.pending) > 0 {
			mc.done = make(chan struct{})
			wait = mc.done
		}
		mc.mu.Unlock()
		if wait != nil {
			t := time.NewTimer(time.Until(deadline))
			select {
			case <-wait:
			case <-t.C:
			}
			t.Stop()
		}
		mc.cl.Disconnect(250)
		mc.mu.Lock()
		for _, n := range mc.pending {
			c.add(func(t *Tally) { t.Unanswered += int64(n) })
		}
		mc.pending = nil
		mc.mu.Unlock()
	}
}
