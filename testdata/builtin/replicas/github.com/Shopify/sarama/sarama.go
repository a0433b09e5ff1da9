// Package sarama is a replica of Sarama for leakprof's built-in rule tests: a
// client's metadata updater, a broker connection's response receiver, an async
// producer's dispatcher and its per-topic dispatchers, with upstream's function
// names and blocking shapes. The same file stands for github.com/IBM/sarama
// and github.com/Shopify/sarama, its module path before the move.
package sarama

import "time"

type client struct{ closer chan struct{} }

// NewClient starts a client's metadata updater.
func NewClient() any {
	c := &client{closer: make(chan struct{})}
	go c.backgroundMetadataUpdater()
	return c
}

func (client *client) backgroundMetadataUpdater() {
	ticker := time.NewTicker(10 * time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-client.closer:
			return
		}
	}
}

type responsePromise struct{ packets chan []byte }

type Broker struct {
	responses chan *responsePromise
	done      chan bool
}

// Open starts a broker connection's response receiver.
func Open() *Broker {
	b := &Broker{responses: make(chan *responsePromise, 16), done: make(chan bool)}
	go b.responseReceiver()
	return b
}

func (b *Broker) responseReceiver() {
	for response := range b.responses {
		response.packets <- []byte("response")
	}
	close(b.done)
}

// Request sends a request whose response nobody reads: the receiver is left
// sending it (a replica's way to show that shape; upstream buffers packets).
func (b *Broker) Request() { b.responses <- &responsePromise{packets: make(chan []byte)} }

type ProducerMessage struct{ Topic string }

type asyncProducer struct {
	input   chan *ProducerMessage
	errors  chan error
	topics  int
	handler func(topic string) chan<- *ProducerMessage
}

type topicProducer struct {
	input     chan *ProducerMessage
	partition chan *ProducerMessage
}

// NewAsyncProducer starts a producer's dispatcher and one dispatcher per topic
// of topics; nothing reads what the topic dispatchers pass on, as when the
// application does not read Errors().
func NewAsyncProducer(topics []string) *asyncProducer {
	p := &asyncProducer{input: make(chan *ProducerMessage), errors: make(chan error)}
	handlers := make(map[string]chan<- *ProducerMessage)
	for _, topic := range topics {
		tp := &topicProducer{input: make(chan *ProducerMessage), partition: make(chan *ProducerMessage)}
		go tp.dispatch()
		handlers[topic] = tp.input
	}
	p.handler = func(topic string) chan<- *ProducerMessage { return handlers[topic] }
	go p.dispatcher()
	return p
}

func (p *asyncProducer) dispatcher() {
	for msg := range p.input {
		handler := p.handler(msg.Topic)
		handler <- msg
	}
}

func (tp *topicProducer) dispatch() {
	for msg := range tp.input {
		tp.partition <- msg
	}
}

// Send hands a message to the producer without waiting for the dispatcher.
func (p *asyncProducer) Send(msg *ProducerMessage) { go func() { p.input <- msg }() }
