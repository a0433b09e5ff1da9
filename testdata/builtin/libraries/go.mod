module example.com/builtin/libraries

go 1.24

require (
	contrib.go.opencensus.io/exporter/ocagent v0.0.0
	github.com/IBM/sarama v0.0.0
	github.com/Shopify/sarama v0.0.0
	github.com/go-redis/redis/v8 v8.0.0
	github.com/go-sql-driver/mysql v0.0.0
	github.com/golang/glog v0.0.0
	github.com/hashicorp/golang-lru/v2 v2.0.0
	github.com/jackc/pgx/v5 v5.0.0
	github.com/lib/pq v0.0.0
	github.com/nats-io/nats.go v0.0.0
	github.com/patrickmn/go-cache v0.0.0
	github.com/rcrowley/go-metrics v0.0.0
	go.opencensus.io v0.0.0
	go.opentelemetry.io/otel v0.0.0
	go.uber.org/zap v0.0.0
	golang.org/x/net v0.0.0
	google.golang.org/grpc v0.0.0
	k8s.io/client-go v0.0.0
	k8s.io/klog/v2 v2.0.0
)

// Replicas under ../replicas: each declares the library's own module path, so
// that the runtime prints exactly the names the built-in rules match.
replace (
	contrib.go.opencensus.io/exporter/ocagent => ../replicas/contrib.go.opencensus.io/exporter/ocagent
	github.com/IBM/sarama => ../replicas/github.com/IBM/sarama
	github.com/Shopify/sarama => ../replicas/github.com/Shopify/sarama
	github.com/go-redis/redis/v8 => ../replicas/github.com/go-redis/redis/v8
	github.com/go-sql-driver/mysql => ../replicas/github.com/go-sql-driver/mysql
	github.com/golang/glog => ../replicas/github.com/golang/glog
	github.com/hashicorp/golang-lru/v2 => ../replicas/github.com/hashicorp/golang-lru/v2
	github.com/jackc/pgx/v5 => ../replicas/github.com/jackc/pgx/v5
	github.com/lib/pq => ../replicas/github.com/lib/pq
	github.com/nats-io/nats.go => ../replicas/github.com/nats-io/nats.go
	github.com/patrickmn/go-cache => ../replicas/github.com/patrickmn/go-cache
	github.com/rcrowley/go-metrics => ../replicas/github.com/rcrowley/go-metrics
	go.opencensus.io => ../replicas/go.opencensus.io
	go.opentelemetry.io/otel => ../replicas/go.opentelemetry.io/otel
	go.uber.org/zap => ../replicas/go.uber.org/zap
	golang.org/x/net => ../replicas/golang.org/x/net
	google.golang.org/grpc => ../replicas/google.golang.org/grpc
	k8s.io/client-go => ../replicas/k8s.io/client-go
	k8s.io/klog/v2 => ../replicas/k8s.io/klog/v2
)
