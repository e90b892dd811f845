//! Built-in, dated knowledge the analysis relies on. Update the date with the data.

/// When the tables below were last checked against upstream release schedules.
pub const CHECKED_ON: &str = "2026-11-26";

/// Node.js long-term-support majors that are still supported, newest first, with their
/// codenames (as used by `.nvmrc` files such as `lts/iron`).
pub const NODE_LTS: &[(u64, &str)] = &[(24, "krypton"), (22, "jod"), (20, "iron")];

/// Every Node.js LTS codename ever released, for `.nvmrc` files naming an old line.
pub const NODE_LTS_CODENAMES: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// The Node.js major Slipway uses when a project pins none: the newest LTS line.
pub fn node_default_major() -> u64 {
    NODE_LTS[0].0
}

/// Supported release lines of other runtimes, newest first, used to resolve a version range
/// to the newest line inside it, and as the default when a project pins nothing.
pub const RUNTIME_LINES: &[(&str, &[&str])] = &[
    ("bun", &["1.3"]),
    ("crystal", &["1.18", "1.17", "1.16"]),
    ("dart", &["3.10", "3.9", "3.8"]),
    ("deno", &["2"]),
    ("dotnet", &["10.0", "9.0", "8.0"]),
    ("elixir", &["1.19", "1.18", "1.17", "1.16", "1.15"]),
    ("erlang", &["28", "27", "26"]),
    ("gleam", &["1.13", "1.12"]),
    ("go", &["1.25", "1.24"]),
    ("haskell", &["9.10", "9.8", "9.6"]),
    ("java", &["25", "21", "17", "11"]),
    ("php", &["8.4", "8.3", "8.2", "8.1"]),
    ("python", &["3.14", "3.13", "3.12", "3.11", "3.10"]),
    ("ruby", &["3.4", "3.3", "3.2"]),
    ("rust", &["1.91"]),
    ("swift", &["6.2", "6.1", "6.0", "5.10"]),
    ("zig", &["0.15", "0.14", "0.13"]),
];

/// The release lines known for `runtime`, newest first.
pub fn lines(runtime: &str) -> &'static [&'static str] {
    RUNTIME_LINES
        .iter()
        .find(|(r, _)| *r == runtime)
        .map_or(&[], |(_, l)| l)
}

/// Default ports of frameworks and runtimes, by id (sorted). A static site is served by a
/// small web server on 8080 inside its container (an unprivileged port).
pub const DEFAULT_PORTS: &[(&str, u16)] = &[
    ("actix", 8080),
    ("angular", 8080),
    ("aspnetcore", 8080),
    ("astro", 4321),
    ("bun", 3000),
    ("cowboy", 8080),
    ("create-react-app", 8080),
    ("dart-frog", 8080),
    ("deno", 8000),
    ("django", 8000),
    ("echo", 1323),
    ("elli", 8080),
    ("express", 3000),
    ("fastapi", 8000),
    ("fastify", 3000),
    ("fiber", 3000),
    ("flask", 5000),
    ("fresh", 8000),
    ("gin", 8080),
    ("hono", 3000),
    ("javalin", 8080),
    ("jekyll", 8080),
    ("kemal", 3000),
    ("koa", 3000),
    ("laravel", 8080),
    ("micronaut", 8080),
    ("nestjs", 3000),
    ("nextjs", 3000),
    ("nuxt", 3000),
    ("phoenix", 4000),
    ("php", 8080),
    ("play", 9000),
    ("procfile", 5000),
    ("quarkus", 8080),
    ("rails", 3000),
    ("react-router", 3000),
    ("remix", 3000),
    ("rocket", 8000),
    ("sinatra", 4567),
    ("spark", 4567),
    ("spring-boot", 8080),
    ("starlette", 8000),
    ("static", 8080),
    ("sveltekit", 3000),
    ("symfony", 8080),
    ("tanstack-start", 3000),
    ("vapor", 8080),
    ("vite", 8080),
    ("vue-cli", 8080),
];

/// The default port of a framework id.
pub fn default_port(framework: &str) -> Option<u16> {
    DEFAULT_PORTS
        .binary_search_by(|(f, _)| f.cmp(&framework))
        .ok()
        .map(|i| DEFAULT_PORTS[i].1)
}

/// Dependencies that name a framework, per ecosystem, most specific first: the first match
/// wins (a NestJS app also depends on express).
pub const FRAMEWORKS: &[(&str, &str, &str)] = &[
    ("node", "next", "nextjs"),
    ("node", "nuxt", "nuxt"),
    ("node", "@remix-run/node", "remix"),
    ("node", "@remix-run/serve", "remix"),
    ("node", "@react-router/node", "react-router"),
    ("node", "@react-router/serve", "react-router"),
    ("node", "@react-router/dev", "react-router"),
    ("node", "astro", "astro"),
    ("node", "@sveltejs/kit", "sveltekit"),
    ("node", "@angular/core", "angular"),
    ("node", "react-scripts", "create-react-app"),
    ("node", "@tanstack/react-start", "tanstack-start"),
    ("node", "@tanstack/solid-start", "tanstack-start"),
    ("node", "@tanstack/start", "tanstack-start"),
    ("node", "expo", "expo"),
    ("node", "@vue/cli-service", "vue-cli"),
    ("node", "@nestjs/core", "nestjs"),
    ("node", "fastify", "fastify"),
    ("node", "hono", "hono"),
    ("node", "koa", "koa"),
    ("node", "express", "express"),
    ("node", "vite", "vite"),
    ("python", "django", "django"),
    ("python", "fastapi", "fastapi"),
    ("python", "flask", "flask"),
    ("python", "starlette", "starlette"),
    ("go", "github.com/gin-gonic/gin", "gin"),
    ("go", "github.com/labstack/echo/v4", "echo"),
    ("go", "github.com/labstack/echo", "echo"),
    ("go", "github.com/gofiber/fiber/v2", "fiber"),
    ("go", "github.com/gofiber/fiber/v3", "fiber"),
    ("go", "github.com/go-chi/chi/v5", "chi"),
    ("go", "github.com/go-chi/chi", "chi"),
    ("rust", "axum", "axum"),
    ("rust", "actix-web", "actix"),
    ("rust", "rocket", "rocket"),
    ("rust", "warp", "warp"),
    ("rust", "poem", "poem"),
    ("rust", "tiny_http", "tiny-http"),
    ("rust", "tiny-http", "tiny-http"),
    ("erlang", "cowboy", "cowboy"),
    ("erlang", "elli", "elli"),
    ("jvm", "io.quarkus*", "quarkus"),
    ("jvm", "io.micronaut*", "micronaut"),
    ("jvm", "org.springframework.boot:*", "spring-boot"),
    ("jvm", "com.typesafe.play:*", "play"),
    ("jvm", "org.playframework:*", "play"),
    ("jvm", "org.http4s:*", "http4s"),
    ("jvm", "com.typesafe.akka:akka-http*", "akka-http"),
    ("jvm", "org.apache.pekko:pekko-http*", "pekko-http"),
    ("jvm", "com.sparkjava:spark-core", "spark"),
    ("jvm", "io.javalin:javalin", "javalin"),
    ("jvm", "ring*", "ring"),
    ("jvm", "http-kit*", "ring"),
    ("jvm", "io.pedestal*", "pedestal"),
    ("jvm", "aleph/aleph", "aleph"),
    ("ruby", "rails", "rails"),
    ("ruby", "sinatra", "sinatra"),
    ("ruby", "hanami", "hanami"),
    ("ruby", "roda", "roda"),
    ("ruby", "jekyll", "jekyll"),
    ("php", "laravel/framework", "laravel"),
    ("php", "symfony/framework-bundle", "symfony"),
    ("php", "slim/slim", "slim"),
    ("elixir", "phoenix", "phoenix"),
    ("elixir", "plug_cowboy", "plug"),
    ("elixir", "bandit", "plug"),
    ("gleam", "wisp", "wisp"),
    ("gleam", "mist", "mist"),
    ("haskell", "servant-server", "servant"),
    ("haskell", "scotty", "scotty"),
    ("haskell", "yesod", "yesod"),
    ("haskell", "warp", "warp"),
    ("crystal", "kemal", "kemal"),
    ("crystal", "lucky", "lucky"),
    ("crystal", "amber", "amber"),
    ("dart", "dart_frog", "dart-frog"),
    ("dart", "shelf", "shelf"),
    ("dart", "flutter", "flutter"),
    ("swift", "vapor", "vapor"),
    ("swift", "hummingbird", "hummingbird"),
    ("zig", "zap", "zap"),
    ("zig", "httpz", "httpz"),
    ("cpp", "Crow", "crow"),
    ("cpp", "Drogon", "drogon"),
    ("cpp", "httplib", "cpp-httplib"),
    ("dotnet", "Microsoft.NET.Sdk.Web", "aspnetcore"),
];

/// Libraries that serve Prometheus metrics over HTTP, per ecosystem: (ecosystem, dependency,
/// library id, the path it serves unless the code names another). An empty path means the
/// code picks it (a route the person writes), so it is read from the code. The library id is
/// what the engine's table of request metrics is keyed by. Checked on 2026-12-06 against each
/// library's README.
pub const METRICS_LIBRARIES: &[(&str, &str, &str, &str)] = &[
    (
        "python",
        "prometheus-fastapi-instrumentator",
        "prometheus-fastapi-instrumentator",
        "/metrics",
    ),
    ("python", "starlette-exporter", "starlette-exporter", ""),
    (
        "python",
        "prometheus-flask-exporter",
        "prometheus-flask-exporter",
        "/metrics",
    ),
    ("python", "django-prometheus", "django-prometheus", "/metrics"),
    ("python", "prometheus-client", "prometheus-client", ""),
    ("node", "express-prom-bundle", "express-prom-bundle", "/metrics"),
    ("node", "fastify-metrics", "fastify-metrics", "/metrics"),
    ("node", "prom-client", "prom-client", ""),
    ("go", "github.com/prometheus/client_golang", "client_golang", ""),
    (
        "jvm",
        "io.quarkus:quarkus-micrometer-registry-prometheus",
        "micrometer",
        "/q/metrics",
    ),
    (
        "jvm",
        "io.micrometer:micrometer-registry-prometheus*",
        "micrometer",
        "/actuator/prometheus",
    ),
    ("dotnet", "prometheus-net.AspNetCore", "prometheus-net", "/metrics"),
    ("rust", "axum-prometheus", "axum-prometheus", ""),
    ("rust", "prometheus", "prometheus-rs", ""),
    ("ruby", "prometheus-client", "prometheus-client-ruby", "/metrics"),
];

/// Dependencies that mean a backing service, per ecosystem: (ecosystem, dependency, service).
/// A dependency ending in `*` matches by prefix.
pub const BACKING_SERVICES: &[(&str, &str, &str)] = &[
    ("node", "@elastic/elasticsearch", "elasticsearch"),
    ("node", "@vercel/postgres", "postgres"),
    ("node", "amqplib", "rabbitmq"),
    ("node", "better-sqlite3", "sqlite"),
    ("node", "bullmq", "redis"),
    ("node", "ioredis", "redis"),
    ("node", "kafkajs", "kafka"),
    ("node", "mariadb", "mariadb"),
    ("node", "mongodb", "mongodb"),
    ("node", "mongoose", "mongodb"),
    ("node", "mysql", "mysql"),
    ("node", "mysql2", "mysql"),
    ("node", "pg", "postgres"),
    ("node", "postgres", "postgres"),
    ("node", "redis", "redis"),
    ("node", "sqlite3", "sqlite"),
    ("python", "aio-pika", "rabbitmq"),
    ("python", "aiokafka", "kafka"),
    ("python", "asyncpg", "postgres"),
    ("python", "celery", "redis"),
    ("python", "confluent-kafka", "kafka"),
    ("python", "elasticsearch", "elasticsearch"),
    ("python", "kafka-python", "kafka"),
    ("python", "motor", "mongodb"),
    ("python", "mysqlclient", "mysql"),
    ("python", "pika", "rabbitmq"),
    ("python", "psycopg", "postgres"),
    ("python", "psycopg2", "postgres"),
    ("python", "psycopg2-binary", "postgres"),
    ("python", "pymongo", "mongodb"),
    ("python", "pymysql", "mysql"),
    ("python", "redis", "redis"),
    ("go", "github.com/IBM/sarama", "kafka"),
    ("go", "github.com/elastic/go-elasticsearch*", "elasticsearch"),
    ("go", "github.com/go-redis/redis*", "redis"),
    ("go", "github.com/go-sql-driver/mysql", "mysql"),
    ("go", "github.com/jackc/pgx*", "postgres"),
    ("go", "github.com/lib/pq", "postgres"),
    ("go", "github.com/rabbitmq/amqp091-go", "rabbitmq"),
    ("go", "github.com/redis/go-redis*", "redis"),
    ("go", "github.com/segmentio/kafka-go", "kafka"),
    ("go", "go.mongodb.org/mongo-driver*", "mongodb"),
    ("rust", "deadpool-postgres", "postgres"),
    ("rust", "diesel", "postgres"),
    ("rust", "elasticsearch", "elasticsearch"),
    ("rust", "lapin", "rabbitmq"),
    ("rust", "mongodb", "mongodb"),
    ("rust", "mysql_async", "mysql"),
    ("rust", "rdkafka", "kafka"),
    ("rust", "redis", "redis"),
    ("rust", "tokio-postgres", "postgres"),
    ("jvm", "com.mysql:mysql-connector-j", "mysql"),
    ("jvm", "mysql:mysql-connector-java", "mysql"),
    ("jvm", "org.mariadb.jdbc:mariadb-java-client", "mariadb"),
    ("jvm", "org.postgresql:postgresql", "postgres"),
    ("jvm", "org.springframework.boot:spring-boot-starter-amqp", "rabbitmq"),
    (
        "jvm",
        "org.springframework.boot:spring-boot-starter-data-elasticsearch",
        "elasticsearch",
    ),
    (
        "jvm",
        "org.springframework.boot:spring-boot-starter-data-mongodb",
        "mongodb",
    ),
    (
        "jvm",
        "org.springframework.boot:spring-boot-starter-data-redis",
        "redis",
    ),
    ("jvm", "org.springframework.kafka:spring-kafka", "kafka"),
    ("jvm", "io.quarkus:quarkus-jdbc-postgresql", "postgres"),
    ("jvm", "io.quarkus:quarkus-redis-client", "redis"),
    ("jvm", "org.postgresql/postgresql", "postgres"),
    ("jvm", "com.github.seancorfield/next.jdbc", "postgres"),
    ("ruby", "mysql2", "mysql"),
    ("ruby", "pg", "postgres"),
    ("ruby", "redis", "redis"),
    ("ruby", "sidekiq", "redis"),
    ("ruby", "sqlite3", "sqlite"),
    ("ruby", "mongoid", "mongodb"),
    ("ruby", "bunny", "rabbitmq"),
    ("php", "predis/predis", "redis"),
    ("php", "mongodb/laravel-mongodb", "mongodb"),
    ("php", "php-amqplib/php-amqplib", "rabbitmq"),
    ("elixir", "postgrex", "postgres"),
    ("elixir", "myxql", "mysql"),
    ("elixir", "redix", "redis"),
    ("elixir", "mongodb_driver", "mongodb"),
    ("elixir", "ecto_sqlite3", "sqlite"),
    ("gleam", "pog", "postgres"),
    ("gleam", "gleam_pgo", "postgres"),
    ("gleam", "sqlight", "sqlite"),
    ("haskell", "postgresql-simple", "postgres"),
    ("haskell", "persistent-postgresql", "postgres"),
    ("haskell", "hedis", "redis"),
    ("crystal", "pg", "postgres"),
    ("crystal", "redis", "redis"),
    ("dart", "postgres", "postgres"),
    ("dart", "redis", "redis"),
    ("swift", "postgres-kit", "postgres"),
    ("swift", "fluent-postgres-driver", "postgres"),
    ("swift", "redis", "redis"),
    ("swift", "fluent-mysql-driver", "mysql"),
    ("swift", "fluent-mongo-driver", "mongodb"),
    ("dotnet", "Npgsql*", "postgres"),
    ("dotnet", "StackExchange.Redis", "redis"),
    ("dotnet", "MongoDB.Driver", "mongodb"),
    ("dotnet", "Pomelo.EntityFrameworkCore.MySql", "mysql"),
    ("dotnet", "MySqlConnector", "mysql"),
    ("dotnet", "RabbitMQ.Client", "rabbitmq"),
    ("dotnet", "Confluent.Kafka", "kafka"),
    ("dotnet", "Microsoft.EntityFrameworkCore.Sqlite", "sqlite"),
    ("cpp", "PostgreSQL", "postgres"),
    ("cpp", "hiredis", "redis"),
];

/// True when a dependency name matches a table entry (exact, or by prefix for `name*`).
pub fn dep_matches(pattern: &str, dep: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => dep.starts_with(prefix),
        None => pattern == dep,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_ports_are_sorted_for_binary_search() {
        let ids: Vec<&str> = super::DEFAULT_PORTS.iter().map(|(f, _)| *f).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        assert_eq!(super::default_port("vite"), Some(8080));
        assert_eq!(super::default_port("nope"), None);
    }
}
