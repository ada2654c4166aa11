package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.Factory;
import org.junit.jupiter.api.Test;

/**
 * The factory Flink discovers loads where the Kafka connector is absent (a cluster with no Kafka jar in
 * lib/, whose file connector instantiates every factory it finds), and a table that asks for it there
 * fails with an error naming the jar to add.
 */
class OutageSafeKafkaTableFactoryTest {
    /** The sql module's classes over a parent that has no Kafka connector. */
    static final class WithoutKafka extends URLClassLoader {
        WithoutKafka() {
            super(new URL[] {OutageSafeKafkaTableFactory.class.getProtectionDomain().getCodeSource().getLocation()},
                    OutageSafeKafkaTableFactoryTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.startsWith("org.apache.flink.streaming.connectors.kafka.")
                        || name.startsWith("org.apache.flink.connector.kafka.")) {
                    throw new ClassNotFoundException(name + " (hidden: no Kafka connector here)");
                }
                if (name.startsWith("io.rnnstream.sql.OutageSafeKafka")) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : findClass(name);
                }
                return super.loadClass(name, resolve);
            }
        }
    }

    @Test
    void withoutTheKafkaConnectorTheFactoryLoadsAndATableSaysWhatToAdd() throws Exception {
        try (WithoutKafka loader = new WithoutKafka()) {
            Class<?> type = loader.loadClass(OutageSafeKafkaTableFactory.class.getName());
            Factory factory = (Factory) type.getConstructor().newInstance();
            assertEquals("rnnstream-kafka", factory.factoryIdentifier());
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> type.getMethod("requiredOptions").invoke(factory));
            assertTrue(e.getCause() instanceof ValidationException, e.getCause().toString());
            assertTrue(e.getCause().getMessage().contains("put flink-sql-connector-kafka-5.0.0-2.2.jar in the"
                    + " distribution's lib/"), e.getCause().getMessage());
        }
    }

    @Test
    void withItTheFactoryIsTheKafkaConnectors() {
        OutageSafeKafkaTableFactory f = new OutageSafeKafkaTableFactory();
        assertTrue(f.requiredOptions().stream().anyMatch(o -> o.key().equals("properties.bootstrap.servers"))
                || f.optionalOptions().stream().anyMatch(o -> o.key().equals("properties.bootstrap.servers")));
    }
}
