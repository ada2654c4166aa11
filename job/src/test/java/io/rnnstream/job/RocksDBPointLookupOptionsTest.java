package io.rnnstream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.PredefinedOptions;
import org.apache.flink.state.rocksdb.RocksDBResourceContainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.RocksDB;

/**
 * The factory named in {@link RnnStream#ROCKSDB_OPTIONS} is found by Flink from the configuration alone
 * (as on a cluster) and its options reach the column family options Flink opens RocksDB with, on top
 * of Flink's own keys.
 */
class RocksDBPointLookupOptionsTest {
    @BeforeAll
    static void loadRocksDB() {
        RocksDB.loadLibrary();
    }

    private static ColumnFamilyOptions columnOptions(Map<String, String> conf) throws Exception {
        Configuration c = Configuration.fromMap(conf);
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend()
                .configure(c, RocksDBPointLookupOptionsTest.class.getClassLoader());
        RocksDBPointLookupOptions factory = assertInstanceOf(RocksDBPointLookupOptions.class,
                backend.getRocksDBOptions());
        RocksDBResourceContainer container =
                new RocksDBResourceContainer(c, PredefinedOptions.DEFAULT, factory, null, null, false);
        // Closed with the container; the values are read before that.
        return container.getColumnOptions();
    }

    @Test
    void theJobsRocksDBOptionsReachTheColumnFamily() throws Exception {
        ColumnFamilyOptions o = columnOptions(RnnStream.ROCKSDB_OPTIONS);
        assertEquals(0.1, o.memtablePrefixBloomSizeRatio(), 1e-9);
        assertTrue(o.memtableWholeKeyFiltering());
        BlockBasedTableConfig table = assertInstanceOf(BlockBasedTableConfig.class, o.tableFormatConfig());
        assertEquals(DataBlockIndexType.kDataBlockBinaryAndHash, table.dataBlockIndexType());
        // Flink's own keys, applied before the factory, survive it.
        assertNotNull(table.filterPolicy(), "state.backend.rocksdb.use-bloom-filter");
        assertTrue(o.compressionPerLevel().stream().allMatch(t -> t == CompressionType.NO_COMPRESSION),
                o.compressionPerLevel().toString());
    }

    @Test
    void eachCanBeSwitchedOffPerCluster() throws Exception {
        Map<String, String> conf = new HashMap<>(RnnStream.ROCKSDB_OPTIONS);
        conf.put("rnnstream.rocksdb.memtable-bloom-ratio", "0");
        conf.put("rnnstream.rocksdb.data-block-hash-index", "false");
        ColumnFamilyOptions o = columnOptions(conf);
        assertEquals(0.0, o.memtablePrefixBloomSizeRatio(), 0);
        assertFalse(o.memtableWholeKeyFiltering());
        assertEquals(DataBlockIndexType.kDataBlockBinarySearch,
                ((BlockBasedTableConfig) o.tableFormatConfig()).dataBlockIndexType());
    }

    @Test
    void aRatioOutsideWhatRocksDBTakesIsRefusedWithTheKey() {
        Map<String, String> conf = new HashMap<>(RnnStream.ROCKSDB_OPTIONS);
        conf.put("rnnstream.rocksdb.memtable-bloom-ratio", "0.5");
        Exception e = assertThrows(Exception.class, () -> columnOptions(conf));
        Throwable root = e;
        while (root.getCause() != null && !(root instanceof IllegalArgumentException)) {
            root = root.getCause();
        }
        assertTrue(String.valueOf(root.getMessage()).contains("rnnstream.rocksdb.memtable-bloom-ratio must be"
                + " between 0 and 0.25, not 0.5"), root.toString());
    }
}
