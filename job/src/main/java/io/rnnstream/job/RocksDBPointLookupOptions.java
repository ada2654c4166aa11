package io.rnnstream.job;

import java.util.Collection;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.TableFormatConfig;

/**
 * The RocksDB options rnnstream's step stage wants and Flink has no configuration key for, named in
 * {@link RnnStream#ROCKSDB_OPTIONS} as {@code state.backend.rocksdb.options-factory}. Flink applies
 * them after its own {@code state.backend.rocksdb.*} keys, and its managed memory (block cache, write
 * buffer manager) still bounds the whole.
 *
 * <p>Every event reads and rewrites the state of one key, and with many keys that key is almost never
 * in a memtable: it was written one pass over the keys ago and has been flushed since. Without a
 * memtable filter each of those reads searched the active and the immutable memtable's skip lists
 * first (a dozen cache misses each) before finding the key in an SST file; a whole-key bloom filter
 * on each memtable answers "not here" in one or two. The data-block hash index then finds the key
 * inside its 4 KB block without a binary search. Neither changes what is stored, so state, checkpoints
 * and savepoints are the same bytes with or without them. Measured at 1,000,000 keys against the same
 * configuration without the factory, alternating runs: docs/BENCHMARKS.md.
 *
 * <p>Both can be tuned or switched off per cluster ({@code rnnstream.rocksdb.memtable-bloom-ratio: 0},
 * {@code rnnstream.rocksdb.data-block-hash-index: false}) without a new job jar.
 */
public final class RocksDBPointLookupOptions implements ConfigurableRocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    /**
     * The memtable bloom filter's size as a fraction of the write buffer (RocksDB's
     * {@code memtable_prefix_bloom_size_ratio}): 0.1 of a 64 MB memtable holding ~110,000 entries is
     * ~60 bits per key, a false-positive rate far below what could be measured here; 0 switches it off.
     */
    public static final ConfigOption<Double> MEMTABLE_BLOOM_RATIO = ConfigOptions
            .key("rnnstream.rocksdb.memtable-bloom-ratio").doubleType().defaultValue(0.1)
            .withDescription("Whole-key bloom filter per memtable, as a fraction of the write buffer size"
                    + " (0 switches it off; RocksDB caps it at 0.25).");

    public static final ConfigOption<Boolean> DATA_BLOCK_HASH_INDEX = ConfigOptions
            .key("rnnstream.rocksdb.data-block-hash-index").booleanType().defaultValue(true)
            .withDescription("A hash index inside each data block for point lookups"
                    + " (kDataBlockBinaryAndHash).");

    private double memtableBloomRatio = MEMTABLE_BLOOM_RATIO.defaultValue();
    private boolean dataBlockHashIndex = DATA_BLOCK_HASH_INDEX.defaultValue();

    @Override
    public RocksDBOptionsFactory configure(ReadableConfig conf) {
        double ratio = conf.get(MEMTABLE_BLOOM_RATIO);
        if (!(ratio >= 0 && ratio <= 0.25)) {
            throw new IllegalArgumentException(MEMTABLE_BLOOM_RATIO.key() + " must be between 0 and 0.25, not "
                    + ratio + " (0 switches the memtable filter off)");
        }
        memtableBloomRatio = ratio;
        dataBlockHashIndex = conf.get(DATA_BLOCK_HASH_INDEX);
        return this;
    }

    public double memtableBloomRatio() {
        return memtableBloomRatio;
    }

    public boolean dataBlockHashIndex() {
        return dataBlockHashIndex;
    }

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
        return current;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions current,
            Collection<AutoCloseable> handlesToClose) {
        if (memtableBloomRatio > 0) {
            // Whole keys, not prefixes: Flink sets no prefix extractor, and every read is a point read.
            current.setMemtablePrefixBloomSizeRatio(memtableBloomRatio);
            current.setMemtableWholeKeyFiltering(true);
        }
        if (dataBlockHashIndex) {
            // Flink has already put its block size, bloom filter and index settings into this table
            // config (and adds its block cache after us): change it, never replace it.
            TableFormatConfig t = current.tableFormatConfig();
            BlockBasedTableConfig table = t instanceof BlockBasedTableConfig b ? b : new BlockBasedTableConfig();
            table.setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
            current.setTableFormatConfig(table);
        }
        return current;
    }

    @Override
    public String toString() {
        return "RocksDBPointLookupOptions{memtableBloomRatio=" + memtableBloomRatio + ", dataBlockHashIndex="
                + dataBlockHashIndex + "}";
    }
}
