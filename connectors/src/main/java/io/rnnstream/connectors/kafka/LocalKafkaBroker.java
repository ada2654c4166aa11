package io.rnnstream.connectors.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a child JVM started
 * from Kafka's own jars, bound to 127.0.0.1 only. It is what {@code ./rnnstream kafka}, the demo
 * and the tests use: no Docker, no download, and the same broker code a production cluster runs.
 *
 * <p>With {@link Builder#saslScram()} clients must authenticate (SASL/SCRAM-SHA-512) and are authorized
 * by ACLs: a super user {@value #ADMIN_USER} for the broker itself and for administration, and a job user
 * {@value #JOB_USER} that may do only what {@link #grant} allows. Their client settings are files with
 * owner-only permissions in the broker's directory ({@link #adminPropertiesFile()},
 * {@link #jobPropertiesFile()}), the form {@code stream --kafka-properties-file} takes.
 *
 * <p>The child JVM needs {@code kafka_2.13} and its dependencies on this JVM's classpath; the CLI
 * carries them, the job jar does not.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    /** The super user of a SASL broker: the broker's own connections, topic and ACL administration. */
    public static final String ADMIN_USER = "admin";
    /** The user a job authenticates as on a SASL broker; it may do what {@link #grant} allows, no more. */
    public static final String JOB_USER = "rnnstream";
    static final String SCRAM = "SCRAM-SHA-512";

    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    /** Null without SASL. */
    private final Credentials credentials;

    private LocalKafkaBroker(Path dir, int port, Process process, Credentials credentials) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.credentials = credentials;
        // Ctrl-C on the CLI, or a test JVM that exits early, must not leave a broker behind.
        this.shutdownHook = new Thread(this::stopProcess, "stop-local-kafka");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Formats {@code dir} (when it holds no broker yet) and starts the broker.
     *
     * @param port the client port on 127.0.0.1, or 0 for a free one
     */
    public static LocalKafkaBroker start(Path dir, int port, Duration timeout) throws IOException {
        return at(dir).port(port).startTimeout(timeout).start();
    }

    /** A broker in {@code dir}, with the settings the builder's methods name. */
    public static Builder at(Path dir) {
        return new Builder(dir);
    }

    /** Named settings of a broker to start; defaults: a free port, 60 s to start, no authentication. */
    public static final class Builder {
        private final Path dir;
        private int port;
        private Duration startTimeout = Duration.ofSeconds(60);
        private boolean saslScram;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The client port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder startTimeout(Duration v) {
            startTimeout = v;
            return this;
        }

        /**
         * Clients authenticate with SASL/SCRAM-SHA-512 (over plain TCP: the broker is on loopback only) and
         * are authorized by ACLs. The credentials are made when the directory is formatted and kept in it.
         */
        public Builder saslScram() {
            saslScram = true;
            return this;
        }

        public LocalKafkaBroker start() throws IOException {
            return LocalKafkaBroker.start(this);
        }
    }

    private static LocalKafkaBroker start(Builder b) throws IOException {
        Files.createDirectories(b.dir);
        Path dir = b.dir.toAbsolutePath();
        Duration timeout = b.startTimeout;
        int clientPort = b.port == 0 ? freePort() : b.port;
        int controllerPort = freePort();
        Path logs = dir.resolve("logs");
        boolean formatted = Files.exists(logs.resolve("meta.properties"));
        Credentials credentials = b.saslScram ? Credentials.of(dir, formatted) : null;
        if (!b.saslScram && Files.exists(dir.resolve(Credentials.FILE))) {
            throw new WrongModeException(dir + " holds a broker that needs authentication: start it with --sasl");
        }
        Path config = dir.resolve("server.properties");
        String server = serverProperties(clientPort, controllerPort, logs);
        if (credentials != null) {
            server = saslServerProperties(server, credentials);
            writeOwnerOnly(config, server);
        } else {
            Files.writeString(config, server, StandardCharsets.UTF_8);
        }
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, log4jProperties(dir.resolve("broker.log")), StandardCharsets.UTF_8);
        if (!formatted) {
            List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c",
                    config.toString(), "--feature", "transaction.version=1"));
            if (credentials != null) {
                // The super user has to exist before the broker starts (it is how the broker itself connects);
                // salted here, so no password is on a command line.
                args.addAll(List.of("--add-scram", credentials.adminScramArgument()));
            }
            // transaction.version=1: with version 2 (a fresh 4.x broker's default) the exactly-once
            // committer was seen to log "producer is already fenced" on recovery.
            Process format = javaProcess(log4j, "kafka.tools.StorageTool", args.toArray(String[]::new))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("format.log").toFile())
                    .start();
            waitFor(format, timeout, "formatting the broker's storage", dir.resolve("format.log"));
            if (format.exitValue() != 0) {
                throw new IOException("could not format Kafka storage in " + logs + ": see " + dir.resolve("format.log"));
            }
        }
        Process broker = javaProcess(log4j, "kafka.Kafka", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
                .start();
        LocalKafkaBroker k = new LocalKafkaBroker(dir, clientPort, broker, credentials);
        try {
            k.awaitReady(timeout);
            if (credentials != null) {
                k.createJobUser();
            }
        } catch (IOException | RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    /** The directory was formatted with authentication and started without, or the reverse: the user's to fix. */
    public static final class WrongModeException extends IOException {
        private static final long serialVersionUID = 1L;

        WrongModeException(String message) {
            super(message);
        }
    }

    /** Whether clients must authenticate (SASL/SCRAM) and are authorized by ACLs. */
    public boolean sasl() {
        return credentials != null;
    }

    /**
     * The super user's client settings (SASL broker), or none: what checks, tests and administration connect
     * with, next to {@link #bootstrapServers()}.
     */
    public Properties adminProperties() {
        Properties p = new Properties();
        if (credentials != null) {
            p.putAll(Credentials.clientProperties(ADMIN_USER, credentials.adminPassword));
        }
        return p;
    }

    /** The super user's client settings as a file (owner-only); SASL brokers only. */
    public Path adminPropertiesFile() {
        requireSasl();
        return dir.resolve("admin.properties");
    }

    /** The job user's client settings as a file (owner-only), for {@code --kafka-properties-file}; SASL only. */
    public Path jobPropertiesFile() {
        requireSasl();
        return dir.resolve("client.properties");
    }

    /** Allows what {@code access} lists; a SASL broker only. ACLs stay in the broker's metadata across restarts. */
    public void grant(JobAccess access) throws IOException {
        requireSasl();
        Properties p = adminProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createAcls(access.bindings()).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("could not create the ACLs for " + access.user + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ACLs a job needs (docs/RELIABILITY.md, "Security"): read its input topic in its consumer group,
     * write its output topics, and run transactions under its transactional id prefix (exactly-once). "*"
     * as a topic, group or prefix means any.
     */
    public static final class JobAccess {
        private final String user;
        private final List<String> readTopics = new ArrayList<>();
        private final List<String> writeTopics = new ArrayList<>();
        private final List<String> createTopics = new ArrayList<>();
        private final List<String> groups = new ArrayList<>();
        private final List<String> transactionalIdPrefixes = new ArrayList<>();

        private JobAccess(String user) {
            this.user = user;
        }

        public static JobAccess forUser(String user) {
            return new JobAccess(user);
        }

        public JobAccess read(String... topics) {
            readTopics.addAll(List.of(topics));
            return this;
        }

        public JobAccess write(String... topics) {
            writeTopics.addAll(List.of(topics));
            return this;
        }

        /** Topics the user may create (by writing to them, with auto-creation on); none by default. */
        public JobAccess create(String... topics) {
            createTopics.addAll(List.of(topics));
            return this;
        }

        public JobAccess group(String... ids) {
            groups.addAll(List.of(ids));
            return this;
        }

        public JobAccess transactionalIdPrefix(String... prefixes) {
            transactionalIdPrefixes.addAll(List.of(prefixes));
            return this;
        }

        List<AclBinding> bindings() {
            List<AclBinding> acls = new ArrayList<>();
            for (String t : readTopics) {
                allow(acls, ResourceType.TOPIC, t, false, AclOperation.READ, AclOperation.DESCRIBE);
            }
            for (String t : writeTopics) {
                allow(acls, ResourceType.TOPIC, t, false, AclOperation.WRITE, AclOperation.DESCRIBE);
            }
            for (String t : createTopics) {
                allow(acls, ResourceType.TOPIC, t, false, AclOperation.CREATE);
            }
            for (String g : groups) {
                allow(acls, ResourceType.GROUP, g, false, AclOperation.READ, AclOperation.DESCRIBE);
            }
            for (String t : transactionalIdPrefixes) {
                allow(acls, ResourceType.TRANSACTIONAL_ID, t, true, AclOperation.WRITE, AclOperation.DESCRIBE);
            }
            if (!writeTopics.isEmpty()) {
                // The sinks' producers are idempotent (exactly-once needs it; at-least-once has it by default).
                allow(acls, ResourceType.CLUSTER, "kafka-cluster", false, AclOperation.IDEMPOTENT_WRITE);
            }
            return acls;
        }

        private void allow(List<AclBinding> acls, ResourceType type, String name, boolean prefixed,
                AclOperation... ops) {
            PatternType pattern = prefixed && !name.equals("*") ? PatternType.PREFIXED : PatternType.LITERAL;
            for (AclOperation op : ops) {
                acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
            }
        }
    }

    private void requireSasl() {
        if (credentials == null) {
            throw new IllegalStateException("this broker does not authenticate clients: start it with saslScram()");
        }
    }

    /** The job user's SCRAM credential, made through the broker (its password never on a command line). */
    private void createJobUser() throws IOException {
        Properties p = adminProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(JOB_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, Credentials.ITERATIONS),
                    credentials.jobPassword))).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("could not create the Kafka user " + JOB_USER + ": " + e.getMessage(), e);
        }
    }

    /**
     * The SASL broker's passwords: made at random when its directory is formatted, kept in an owner-only
     * file in it (a restarted broker needs the same), and written out as the client settings files.
     */
    private static final class Credentials {
        static final String FILE = "credentials.properties";
        static final int ITERATIONS = 8192;
        final String adminPassword;
        final String jobPassword;

        private Credentials(String adminPassword, String jobPassword) {
            this.adminPassword = adminPassword;
            this.jobPassword = jobPassword;
        }

        static Credentials of(Path dir, boolean formatted) throws IOException {
            Path file = dir.resolve(FILE);
            Credentials c;
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
                c = new Credentials(p.getProperty("admin.password"), p.getProperty("job.password"));
            } else if (formatted) {
                throw new WrongModeException(dir + " holds a broker without authentication: start it without --sasl,"
                        + " or give --sasl a new --dir");
            } else {
                c = new Credentials(randomPassword(), randomPassword());
                writeOwnerOnly(file, "# Passwords of this broker's users; its client settings are in"
                        + " admin.properties and client.properties.\nadmin.password=" + c.adminPassword
                        + "\njob.password=" + c.jobPassword + "\n");
            }
            writeOwnerOnly(dir.resolve("admin.properties"), propertiesText(clientProperties(ADMIN_USER, c.adminPassword),
                    "Super user of the Kafka broker in " + dir + " (topics, ACLs); not for jobs"));
            writeOwnerOnly(dir.resolve("client.properties"), propertiesText(clientProperties(JOB_USER, c.jobPassword),
                    "Job user of the Kafka broker in " + dir + ": rnnstream stream --kafka-properties-file"));
            return c;
        }

        static Properties clientProperties(String user, String password) {
            Properties p = new Properties();
            p.setProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            p.setProperty(SaslConfigs.SASL_MECHANISM, SCRAM);
            p.setProperty(SaslConfigs.SASL_JAAS_CONFIG, jaas("org.apache.kafka.common.security.scram.ScramLoginModule",
                    user, password, ""));
            return p;
        }

        /** The super user's credential for the storage tool: salted, so the password is not on its command line. */
        String adminScramArgument() {
            byte[] salt = new byte[32];
            new SecureRandom().nextBytes(salt);
            byte[] salted;
            try {
                // SCRAM's SaltedPassword is PBKDF2 with the mechanism's HMAC, as long as its hash (RFC 5802).
                salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                        .generateSecret(new PBEKeySpec(adminPassword.toCharArray(), salt, ITERATIONS, 512)).getEncoded();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no PBKDF2WithHmacSHA512", e);
            }
            Base64.Encoder b64 = Base64.getEncoder();
            return SCRAM + "=[name=" + ADMIN_USER + ",iterations=" + ITERATIONS + ",salt=\"" + b64.encodeToString(salt)
                    + "\",saltedpassword=\"" + b64.encodeToString(salted) + "\"]";
        }

        private static String randomPassword() {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            // URL-safe Base64: nothing that needs quoting in a JAAS line or a properties file.
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
    }

    static String jaas(String module, String user, String password, String more) {
        return module + " required username=\"" + user + "\" password=\"" + password + "\"" + more + ";";
    }

    private static String propertiesText(Properties p, String comment) {
        StringBuilder s = new StringBuilder("# ").append(comment).append('\n');
        for (String k : new java.util.TreeSet<>(p.stringPropertyNames())) {
            s.append(k).append('=').append(p.getProperty(k)).append('\n');
        }
        return s.toString();
    }

    /** Created readable and writable by its owner only, before any secret is in it. */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * What an exactly-once sink committed to {@code topic}, as a read_committed consumer sees it: reads
     * until {@code expected} values came, then {@code quiet} longer (a duplicate would show up then), or
     * until {@code timeout}. For tests and checks; the values in arrival order.
     */
    public List<String> readCommitted(String topic, int expected, Duration quiet, Duration timeout) {
        Properties p = adminProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
                if (got.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + quiet.toMillis();
                }
            }
        }
        return got;
    }

    /** The broker JVM's process id (its CPU time, for benchmarks). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the broker process exits (for {@code ./rnnstream kafka}). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: nothing left to do
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: Kafka shuts down cleanly and keeps its logs consistent
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with code " + process.exitValue() + "; see "
                        + dir.resolve("broker.out") + " and " + dir.resolve("broker.log"));
            }
            if (portOpen(port)) {
                Properties p = adminProperties();
                p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
                p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
                p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
                try (Admin admin = Admin.create(p)) {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // the controller may still be electing itself
                }
            }
            sleep(200);
        }
        throw new IOException("the Kafka broker did not start within " + timeout.toSeconds() + " s; see "
                + dir.resolve("broker.log"));
    }

    private static ProcessBuilder javaProcess(Path log4j, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions(System.getenv()));
        cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        cmd.add("-Djava.io.tmpdir=" + log4j.getParent());
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * The broker JVM's options, from the variables Kafka's own start scripts read, where set:
     * {@code KAFKA_HEAP_OPTS} (here -Xms256m -Xmx512m), {@code KAFKA_JVM_PERFORMANCE_OPTS} (here G1) and
     * {@code KAFKA_OPTS} (none). Each is split on whitespace, as the scripts do.
     */
    static List<String> jvmOptions(Map<String, String> env) {
        List<String> options = new ArrayList<>();
        options.addAll(words(env.get("KAFKA_HEAP_OPTS"), "-Xms256m -Xmx512m"));
        options.addAll(words(env.get("KAFKA_JVM_PERFORMANCE_OPTS"), "-XX:+UseG1GC"));
        options.addAll(words(env.get("KAFKA_OPTS"), ""));
        return options;
    }

    private static List<String> words(String value, String otherwise) {
        String v = value == null || value.isBlank() ? otherwise : value;
        return v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
    }

    /**
     * This JVM's classpath, for a child JVM that runs Kafka's code or ours; under Surefire the real one
     * is in a system property, not java.class.path.
     */
    public static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        if (!cp.contains("kafka_2.13")) {
            throw new IllegalStateException("the Kafka broker's jars (org.apache.kafka:kafka_2.13) are not on the"
                    + " classpath; run the broker through ./rnnstream kafka");
        }
        return cp;
    }

    private static String serverProperties(int clientPort, int controllerPort, Path logs) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs.toString().replace(File.separatorChar, '/'),
                "num.partitions=2",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Flink's exactly-once sink may hold a transaction open across a checkpoint interval.
                "transaction.max.timeout.ms=900000",
                "log.retention.hours=24",
                "");
    }

    /**
     * The client listener takes SASL/SCRAM only; the controller listener SASL/PLAIN with the super user
     * alone (SCRAM credentials live in the metadata the controller serves, so it cannot check them itself),
     * and every request is authorized by ACLs, none allowed without one.
     */
    private static String saslServerProperties(String plain, Credentials c) {
        String plainAdmin = jaas("org.apache.kafka.common.security.plain.PlainLoginModule", ADMIN_USER,
                c.adminPassword, " user_" + ADMIN_USER + "=\"" + c.adminPassword + "\"");
        String scramAdmin = jaas("org.apache.kafka.common.security.scram.ScramLoginModule", ADMIN_USER,
                c.adminPassword, "");
        StringBuilder s = new StringBuilder();
        for (String line : plain.split("\n")) {
            if (line.startsWith("listeners=") || line.startsWith("advertised.listeners=")
                    || line.startsWith("inter.broker.listener.name=")
                    || line.startsWith("listener.security.protocol.map=")) {
                line = line.replace("PLAINTEXT://", "SASL_PLAINTEXT://")
                        .replace("inter.broker.listener.name=PLAINTEXT", "inter.broker.listener.name=SASL_PLAINTEXT")
                        .replace("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                                "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
            }
            s.append(line).append('\n');
        }
        return s + String.join("\n",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms=" + SCRAM,
                "listener.name.sasl_plaintext." + SCRAM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config="
                        + scramAdmin,
                "sasl.mechanism.inter.broker.protocol=" + SCRAM,
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=" + plainAdmin,
                "sasl.mechanism.controller.protocol=PLAIN",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + ADMIN_USER,
                "allow.everyone.if.no.acl.found=false",
                "");
    }

    private static String log4jProperties(Path file) {
        return String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.file.ref=File",
                "appender.file.type=File",
                "appender.file.name=File",
                "appender.file.fileName=" + file.toString().replace(File.separatorChar, '/'),
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=%d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                "");
    }

    private static void waitFor(Process p, Duration timeout, String what, Path log) throws IOException {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " took more than " + timeout.toSeconds() + " s; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
