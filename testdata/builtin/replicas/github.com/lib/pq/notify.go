// Package pq is a replica of github.com/lib/pq for leakprof's built-in rule
// tests: a Listener's connection loop, which waits for notifications from the
// connection and sends each on Notify.
package pq

type Notification struct{ Channel, Extra string }

type Listener struct {
	Notify               chan *Notification
	connNotificationChan chan *Notification
}

func NewListener() *Listener {
	l := &Listener{
		Notify:               make(chan *Notification, 32),
		connNotificationChan: make(chan *Notification, 32),
	}
	go l.listenerConnLoop()
	return l
}

func (l *Listener) listenerConnLoop() {
	for {
		notification, ok := <-l.connNotificationChan
		if !ok {
			return
		}
		l.Notify <- notification
	}
}

// Deliver is the server sending a notification on the listener's connection.
func (l *Listener) Deliver(n *Notification) { l.connNotificationChan <- n }
