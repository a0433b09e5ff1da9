// Command libraries is a test fixture for leakprof's built-in rules on library
// daemons. The libraries are replicas (../replicas, wired in by go.mod's
// replace directives): each declares the library's own module path and has the
// upstream function the rule names, with the same blocking shape, so the
// runtime prints exactly the name the rule matches.
//
//   - -mode healthy: each daemon as a healthy service has it, a handful of
//     each per-object daemon and one of each per-process daemon, all kept
//     reachable (so the GC proves nothing).
//   - -mode leaky: each bounded daemon at its rule's bound or more (objects
//     made per request and never closed), and each daemon whose rule is
//     narrowed to an op also parked at the op it must not match (a lib/pq
//     Listener whose Notify nobody reads, a sarama producer whose Errors()
//     nobody reads, a broker response nobody waits for).
//
// main starts them, waits until the goroutines settle, then says "ready" and
// serves net/http/pprof for capture.sh; tests/builtin.rs checks every built-in
// rule against the captures.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"time"

	"contrib.go.opencensus.io/exporter/ocagent"
	ibm "github.com/IBM/sarama"
	shopify "github.com/Shopify/sarama"
	"github.com/go-redis/redis/v8"
	"github.com/go-sql-driver/mysql"
	"github.com/golang/glog"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lib/pq"
	"github.com/nats-io/nats.go"
	gocache "github.com/patrickmn/go-cache"
	metrics "github.com/rcrowley/go-metrics"
	"go.opencensus.io/metric/metricexport"
	"go.opencensus.io/stats/view"
	"go.opentelemetry.io/otel/exporters/otlp/otlpgrpc"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap/zapcore"
	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// keep holds what a healthy service keeps for its whole life.
var keep []any

// counts is how many of each daemon a mode starts.
type counts struct {
	clientConns, serverConns, zap, intervalReaders, ocagents, lrus, redis, pgx int
	listeners, mysql, saramaClients, brokers, producers, topics, nats          int
	handlers, queues                                                           int
}

var healthy = counts{
	clientConns: 2, serverConns: 5, zap: 2, intervalReaders: 2, ocagents: 1, lrus: 3, redis: 3,
	pgx: 1, listeners: 2, mysql: 3, saramaClients: 2, brokers: 3, producers: 2, topics: 2,
	nats: 1, handlers: 3, queues: 2,
}

// leaky reaches every bound of the rules (rules/*.yaml): 100 gRPC client
// transports, 64 serializers and watchers, 16 per-DB or per-pool daemons, ….
var leaky = counts{
	clientConns: 110, serverConns: 150, zap: 20, intervalReaders: 20, ocagents: 20, lrus: 20,
	redis: 70, pgx: 20, listeners: 20, mysql: 130, saramaClients: 35, brokers: 260,
	producers: 35, topics: 8, nats: 20, handlers: 260, queues: 130,
}

func main() {
	mode := flag.String("mode", "healthy", "healthy or leaky")
	flag.Parse()
	var n counts
	switch *mode {
	case "healthy":
		n = healthy
	case "leaky":
		n = leaky
	default:
		log.Fatalf("-mode %q: want healthy or leaky", *mode)
	}

	start(n)
	if *mode == "leaky" {
		wrongOps()
	}
	settle()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	fmt.Println("ready")
	log.Fatal(http.Serve(ln, nil))
}

func start(n counts) {
	// gRPC: ClientConns of three addresses when healthy, one each when leaky.
	addresses := 3
	if n.clientConns > 10 {
		addresses = 1
	}
	for i := 0; i < n.clientConns; i++ {
		keep = append(keep, grpc.Dial(addresses))
	}
	server := grpc.NewServer(4)
	server.Accept(n.serverConns)
	h2 := http2.NewServer()
	for i := 0; i < n.serverConns; i++ {
		go h2.ServeConn()
	}
	keep = append(keep, server, h2)

	// Logging: glog and klog start their daemons when imported.
	glog.Flush()
	klog.Flush()
	for i := 0; i < n.zap; i++ {
		syncer := &zapcore.BufferedWriteSyncer{}
		syncer.Write([]byte("started"))
		keep = append(keep, syncer)
	}

	// Telemetry: one of each per-process daemon; per-object ones by count.
	keep = append(keep, sdktrace.NewBatchSpanProcessor(), sdkmetric.NewPeriodicReader(),
		sdklog.NewBatchProcessor(), sdklog.NewPollingBatchProcessor(), otlpgrpc.NewConnection(),
		metrics.NewMeter())
	view.Register()
	for i := 0; i < n.intervalReaders; i++ {
		reader := metricexport.NewIntervalReader()
		reader.Start()
		keep = append(keep, reader)
	}
	for i := 0; i < n.ocagents; i++ {
		exporter, _ := ocagent.NewExporter()
		keep = append(keep, exporter)
	}

	// Caches, databases, queues.
	keep = append(keep, gocache.New(time.Minute), gocache.New(time.Minute))
	for i := 0; i < n.lrus; i++ {
		keep = append(keep, expirable.NewLRU[string, int](64, nil, time.Hour))
	}
	for i := 0; i < n.redis; i++ {
		keep = append(keep, redis.NewClient())
	}
	for i := 0; i < n.pgx; i++ {
		keep = append(keep, pgxpool.New())
	}
	for i := 0; i < n.listeners; i++ {
		keep = append(keep, pq.NewListener())
	}
	for i := 0; i < n.mysql; i++ {
		keep = append(keep, mysql.Connect())
	}
	for i := 0; i < n.saramaClients; i++ {
		keep = append(keep, ibm.NewClient(), shopify.NewClient())
	}
	for i := 0; i < n.brokers; i++ {
		keep = append(keep, ibm.Open(), shopify.Open())
	}
	topics := make([]string, n.topics)
	for i := range topics {
		topics[i] = fmt.Sprintf("topic-%d", i)
	}
	for i := 0; i < n.producers; i++ {
		keep = append(keep, ibm.NewAsyncProducer(topics), shopify.NewAsyncProducer(topics))
	}
	for i := 0; i < n.nats; i++ {
		keep = append(keep, nats.Connect())
	}

	// client-go: one informer with n.handlers event handlers, n.queues queues.
	informer := cache.NewSharedInformer()
	for i := 0; i < n.handlers; i++ {
		informer.AddEventHandler()
	}
	keep = append(keep, informer)
	for i := 0; i < n.queues; i++ {
		keep = append(keep, workqueue.NewTypedDelayingQueue[string]())
	}
}

// wrongOps parks daemons at the op their rules leave out: sends that are the
// symptom of a bug in the application.
func wrongOps() {
	// A Listener whose Notify nobody reads: 32 notifications fill its buffer, the
	// 33rd leaves its loop stuck sending.
	listener := pq.NewListener()
	for i := 0; i < 33; i++ {
		listener.Deliver(&pq.Notification{Channel: "orders"})
	}
	keep = append(keep, listener)

	// Producers whose errors nobody reads: the topic dispatcher is stuck passing
	// the first message on, the dispatcher stuck handing it the second.
	producer := ibm.NewAsyncProducer([]string{"orders"})
	producer.Send(&ibm.ProducerMessage{Topic: "orders"})
	producer.Send(&ibm.ProducerMessage{Topic: "orders"})
	keep = append(keep, producer)
	shopifyProducer := shopify.NewAsyncProducer([]string{"orders"})
	shopifyProducer.Send(&shopify.ProducerMessage{Topic: "orders"})
	shopifyProducer.Send(&shopify.ProducerMessage{Topic: "orders"})
	keep = append(keep, shopifyProducer)

	// A broker response nobody waits for.
	broker, shopifyBroker := ibm.Open(), shopify.Open()
	broker.Request()
	shopifyBroker.Request()
	keep = append(keep, broker, shopifyBroker)
}

// settle waits until the number of goroutines stops changing.
func settle() {
	last, same := -1, 0
	for same < 25 {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
	runtime.GC()
}
