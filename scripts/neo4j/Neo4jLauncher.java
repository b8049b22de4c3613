// Starts a real Neo4j 5.26 Community DBMS (embedded API, but with its Bolt
// connector on) so Bridgemap's tests and dev server can talk to it with the
// ordinary Python driver - without docker or the Neo4j tarball, neither of
// which can be downloaded here. The jars come from Maven Central via pom.xml.
//
// Run as a single-file source program (Java 11+ compiles it in memory):
//
//   java -Xmx768m -cp "$(cat .cache/neo4j/classpath.txt)" \
//        scripts/neo4j/Neo4jLauncher.java <dataDir> <boltPort>
//
// <dataDir> is used as NEO4J_HOME: the store lands in <dataDir>/data and
// Neo4j's own logs (debug.log) in <dataDir>/logs. Prints
// "NEO4J READY bolt://127.0.0.1:<port>" once Bolt accepts connections and
// shuts the DBMS down cleanly on SIGTERM/SIGINT so data survives restarts.
//
// With BRIDGEMAP_NEO4J_PARENT_PID set (tests/neo4j_server.py sets it), the
// server also shuts down when that process is gone: a test run killed with
// SIGTERM or SIGKILL runs no atexit hook, and its server would otherwise live
// on as an orphan, using memory and CPU until someone notices.

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Neo4jLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Neo4jLauncher <dataDir> <boltPort>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String pageCache = System.getenv().getOrDefault("BRIDGEMAP_NEO4J_PAGECACHE_MB", "128");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                // Loopback only: this is a dev/test server with auth off.
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // The embedded API does not start the HTTP/Browser server; turn
                // the connector off explicitly so no HTTP port is ever opened.
                .setConfig(HttpConnector.enabled, false)
                // Server-side routing would open a second port (7688 by default)
                // and collide when tests run several servers side by side.
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                // Netty waits a 5 s "quiet period" per Bolt event loop group on
                // shutdown (two groups: ~10 s per stop). Nothing is in flight
                // once the databases are stopped, so skip it; keeps restarts fast.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                // No auth: the Python side connects with auth=None. Safe only
                // because of the loopback-only listen address above.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Memory: heap is capped by -Xmx on the java command line; the
                // page cache is off-heap and would otherwise size itself from
                // total RAM (24 GiB here), so cap it.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(Long.parseLong(pageCache)))
                // Small tx logs, kept no longer than recovery needs: they hold
                // the old values of every change (an erased person's name too)
                // until their file is rotated and a checkpoint prunes it. So:
                // keep none beyond recovery, rotate at the smallest size allowed
                // (128 KiB), checkpoint every minute. Also, tests create many
                // throwaway data dirs, and the default preallocates 256 MiB files.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.kibiBytes(128))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.check_point_interval_time, java.time.Duration.ofMinutes(1))
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                // No phoning home (the network only reaches package registries anyway).
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // User-facing log (startup/shutdown, errors) to stdout, which
                // neo4j.sh / LocalNeo4j redirect into their log file.
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO));
        // Transaction memory caps (MiB): all transactions at once (default 70% of the
        // heap) and one transaction (default: no cap of its own). A bulk write holds its
        // whole change in memory until it commits (README, "Running with Neo4j").
        String txTotal = System.getenv("BRIDGEMAP_NEO4J_TX_MEMORY_MB");
        if (txTotal != null && !txTotal.isBlank()) {
            builder.setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
                    ByteUnit.mebiBytes(Long.parseLong(txTotal.trim())));
        }
        String txOne = System.getenv("BRIDGEMAP_NEO4J_TX_MAX_MB");
        if (txOne != null && !txOne.isBlank()) {
            builder.setConfig(GraphDatabaseSettings.memory_transaction_max_size,
                    ByteUnit.mebiBytes(Long.parseLong(txOne.trim())));
        }
        DatabaseManagementService dbms = builder.build();

        String parent = System.getenv("BRIDGEMAP_NEO4J_PARENT_PID");
        if (parent != null && !parent.isBlank()) {
            long parentPid = Long.parseLong(parent.trim());
            Thread watchdog = new Thread(() -> {
                while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.out.println("NEO4J PARENT " + parentPid + " GONE");
                System.out.flush();
                System.exit(0); // runs the shutdown hook below: a clean stop
            }, "bridgemap-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT run shutdown hooks; shutting the DBMS down there
        // checkpoints the store so the next start finds the data without
        // recovery. The hook waits for shutdown() to finish before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } finally {
                System.out.println("NEO4J STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        // build() returns once the system and default databases are started and
        // the Bolt connector is bound, so a client may connect from here on.
        System.out.println("NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
