package riffq;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.postgresql.PGResultSetMetaData;

/**
 * pgjdbc driver harness for riffq's extended-protocol tests.
 *
 * <pre>java riffq.JdbcHarness JDBC_URL TAG [CASE...]</pre>
 *
 * Runs scripted cases (all of them when none is named), each on a fresh
 * connection, and prints one JSON object per line for every step: a result
 * set (column labels, java.sql.Types codes, type names, every value as
 * class + getObject text + getString), an update count, or an error with
 * its SQLState. tests/test_drivers.py runs the same cases against riffq and
 * against PostgreSQL 15 and compares the lines. TAG makes table names
 * unique so repeated runs against one PostgreSQL never collide.
 *
 * The SQL is written to mean the same in PostgreSQL and in DuckDB (which
 * answers inside the riffq test server): every literal and parameter is
 * cast, so both sides agree on the column types.
 */
public final class JdbcHarness {

    /** One step of a case: runs statements and reports through {@link Out}. */
    @FunctionalInterface
    interface Step {
        void run() throws SQLException;
    }

    /** A case: gets its own connection and the output sink. */
    @FunctionalInterface
    interface Case {
        void run(Connection c, Out out) throws SQLException;
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();
    private static String tag = "x";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: JdbcHarness JDBC_URL TAG [CASE...]");
            System.exit(2);
        }
        String url = args[0];
        tag = args[1];
        registerCases();
        List<String> names = new ArrayList<>();
        for (int i = 2; i < args.length; i++) names.add(args[i]);
        if (names.isEmpty()) names.addAll(CASES.keySet());
        for (String name : names) {
            Case k = CASES.get(name);
            Out out = new Out(name);
            if (k == null) {
                out.emit("\"fatal\":" + Json.str("unknown case"));
                continue;
            }
            try (Connection c = DriverManager.getConnection(url)) {
                k.run(c, out);
            } catch (SQLException e) {
                // A failure outside a step (connecting, closing) ends the case.
                out.emit("\"fatal\":" + Json.err(e));
            } catch (RuntimeException e) {
                out.emit("\"fatal\":" + Json.str(e.toString()));
            }
            out.emit("\"done\":true");
        }
        System.out.flush();
    }

    // ---- the cases ------------------------------------------------------

    private static void registerCases() {
        CASES.put("select_plain", (c, out) -> out.step(() -> {
            try (Statement st = c.createStatement()) {
                out.rows(st.executeQuery("select 1::int4 as i4, 2::int8 as i8, 1.5::float8 as f8, "
                        + "'txt'::text as t, true as b, null::int4 as n"));
            }
        }));

        CASES.put("select_multirow", (c, out) -> out.step(() -> {
            try (Statement st = c.createStatement()) {
                out.rows(st.executeQuery("select i::int4 as i, 'r' || i::text as s "
                        + "from generate_series(1, 5) as g(i) order by i"));
            }
        }));

        CASES.put("param_long_int", (c, out) -> {
            String sql = "select ?::int8 as l, ?::int4 as i, ?::int8 + ?::int4 as s";
            long[][] values = {{1L << 40, -7, 5, 6}, {Long.MAX_VALUE, Integer.MIN_VALUE, -1, 1}};
            for (long[] v : values) {
                out.step(() -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setLong(1, v[0]);
                        ps.setInt(2, (int) v[1]);
                        ps.setLong(3, v[2]);
                        ps.setInt(4, (int) v[3]);
                        out.rows(ps.executeQuery());
                    }
                });
            }
        });

        CASES.put("param_string", (c, out) -> {
            for (String s : new String[] {"plain", "", "it's \"quoted\"", "ünïcødé € 😀", "line\nbreak\ttab"}) {
                out.step(() -> {
                    try (PreparedStatement ps = c.prepareStatement("select ?::text || '|' as s")) {
                        ps.setString(1, s);
                        out.rows(ps.executeQuery());
                    }
                });
            }
        });

        CASES.put("param_double", (c, out) -> {
            double[] values = {0.1, -1.5e300, 1e-310, Double.NaN, Double.POSITIVE_INFINITY, -0.0};
            for (double d : values) {
                out.step(() -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "select ?::float8 as d, ?::float8 * 2 as d2, ?::float4 as r")) {
                        ps.setDouble(1, d);
                        ps.setDouble(2, d);
                        ps.setFloat(3, (float) d);
                        out.rows(ps.executeQuery());
                    }
                });
            }
        });

        CASES.put("param_boolean", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select ?::bool as t, ?::bool as f, not ?::bool as nt")) {
                ps.setBoolean(1, true);
                ps.setBoolean(2, false);
                ps.setBoolean(3, true);
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("param_null", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select ?::int4 as n_int, ?::text as n_text, (?::int8) is null as was_null")) {
                ps.setNull(1, Types.INTEGER);
                ps.setNull(2, Types.VARCHAR);
                ps.setNull(3, Types.BIGINT);
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("param_timestamp", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement("select ?::timestamp as ts")) {
                ps.setTimestamp(1, Timestamp.valueOf("2024-01-02 03:04:05.678"));
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("param_date", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement("select ?::date as d")) {
                ps.setDate(1, Date.valueOf("2024-02-29"));
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("param_bigdecimal", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select ?::numeric(10,3) as n, ?::numeric(12,2) * 2 as n2")) {
                ps.setBigDecimal(1, new BigDecimal("12.340"));
                ps.setBigDecimal(2, new BigDecimal("-98765.43"));
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("param_uuid", (c, out) -> out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement("select ?::uuid as u")) {
                ps.setObject(1, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
                out.rows(ps.executeQuery());
            }
        }));

        CASES.put("insert_once", (c, out) -> {
            String table = "drv_ins_" + tag;
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    st.execute("create table " + table + " (id int8, name text)");
                    out.update(st.getUpdateCount());
                }
            });
            out.step(() -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into " + table + " (id, name) values (?, ?)")) {
                    ps.setLong(1, 1);
                    ps.setString(2, "inserted once");
                    out.update(ps.executeUpdate());
                }
            });
            out.step(() -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "update " + table + " set name = name || ? where id >= ?")) {
                    ps.setString(1, "!");
                    ps.setLong(2, 1);
                    out.update(ps.executeUpdate());
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select id, name from " + table + " order by id"));
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    st.execute("drop table " + table);
                    out.update(st.getUpdateCount());
                }
            });
        });

        // prepareThreshold=5: the 5th execution prepares a named server
        // statement (Parse + Describe statement), and from the 6th on pgjdbc
        // asks for binary results of the types it can read (int2/4/8,
        // float4/8, numeric, date, time, timestamp, uuid, arrays...).
        CASES.put("repeat_scalars", (c, out) -> repeat(c, out,
                "select ?::int8 * 2 as n, ?::text as t, ?::float8 as f, ?::int4 as i, ?::bool as b",
                (ps, k) -> {
                    ps.setLong(1, 1000L * k);
                    ps.setString(2, "run " + k);
                    ps.setDouble(3, k + 0.25);
                    ps.setInt(4, -k);
                    ps.setBoolean(5, k % 2 == 0);
                }));

        CASES.put("repeat_temporal_uuid", (c, out) -> repeat(c, out,
                "select ?::int4 as k, date '2024-02-29' + ?::int4 as d, "
                        + "timestamp '2024-01-02 03:04:05.678' as ts, "
                        + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u",
                (ps, k) -> {
                    ps.setInt(1, k);
                    ps.setInt(2, k);
                }));

        CASES.put("repeat_numeric", (c, out) -> repeat(c, out,
                "select ?::int4 as k, 12.340::numeric(10,3) * ?::int4 as n",
                (ps, k) -> {
                    ps.setInt(1, k);
                    ps.setInt(2, k);
                }));

        CASES.put("repeat_array", (c, out) -> repeat(c, out,
                "select ?::int4 as k, array[?::int4, 2, 3] as a",
                (ps, k) -> {
                    ps.setInt(1, k);
                    ps.setInt(2, k);
                }));

        CASES.put("fetch_size", (c, out) -> {
            c.setAutoCommit(false);
            out.step(() -> {
                try (Statement st = c.createStatement(); Statement other = c.createStatement()) {
                    st.setFetchSize(100);
                    ResultSet rs = st.executeQuery(
                            "select i::int8 as i from generate_series(1, 1000) as g(i) order by i");
                    long n = 0, sum = 0, first = -1, last = -1;
                    while (rs.next()) {
                        long v = rs.getLong(1);
                        if (n == 0) first = v;
                        last = v;
                        n++;
                        sum += v;
                        if (n == 150) {
                            // Another statement while the portal is suspended.
                            out.rows(other.executeQuery("select 42::int4 as between_fetches"));
                        }
                    }
                    rs.close();
                    out.emit("\"fetched\":{\"rows\":" + n + ",\"sum\":" + sum + ",\"first\":"
                            + first + ",\"last\":" + last + "}");
                }
            });
            out.step(c::commit);
            out.emit("\"committed\":true");
        });

        CASES.put("errors", (c, out) -> {
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select * from drv_missing_" + tag));
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("selec 1"));
                }
            });
            out.step(() -> {
                try (PreparedStatement ps = c.prepareStatement("select ?::int4 as v")) {
                    ps.setString(1, "not a number");
                    out.rows(ps.executeQuery());
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select 1::int4 as still_ok"));
                }
            });
        });

        CASES.put("error_in_transaction", (c, out) -> {
            c.setAutoCommit(false);
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select 1::int4 as before_error"));
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select * from drv_missing_" + tag));
                }
            });
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select 2::int4 as after_error"));
                }
            });
            out.step(c::rollback);
            out.step(() -> {
                try (Statement st = c.createStatement()) {
                    out.rows(st.executeQuery("select 3::int4 as after_rollback"));
                }
            });
            out.step(c::commit);
        });

        CASES.put("echo_params", (c, out) -> {
            echo(c, out, "long", "int8", ps -> ps.setLong(1, 1L << 40));
            echo(c, out, "int", "int4", ps -> ps.setInt(1, -7));
            echo(c, out, "short", "int2", ps -> ps.setShort(1, (short) 12));
            echo(c, out, "string", "text", ps -> ps.setString(1, "héllo € 😀"));
            echo(c, out, "double", "float8", ps -> ps.setDouble(1, -0.25));
            echo(c, out, "float", "float4", ps -> ps.setFloat(1, 1.25f));
            echo(c, out, "boolean", "bool", ps -> ps.setBoolean(1, true));
            echo(c, out, "null", "int4", ps -> ps.setNull(1, Types.INTEGER));
            echo(c, out, "bytes", "bytea", ps -> ps.setBytes(1, new byte[] {0, (byte) 0xff, 'a'}));
            echo(c, out, "timestamp", "timestamp",
                    ps -> ps.setTimestamp(1, Timestamp.valueOf("2024-01-02 03:04:05.678")));
            echo(c, out, "timestamptz", "timestamptz",
                    ps -> ps.setTimestamp(1, Timestamp.valueOf("2024-01-02 03:04:05.678")));
            echo(c, out, "date", "date", ps -> ps.setDate(1, Date.valueOf("2024-02-29")));
            echo(c, out, "time", "time", ps -> ps.setTime(1, java.sql.Time.valueOf("03:04:05")));
            echo(c, out, "bigdecimal", "numeric", ps -> ps.setBigDecimal(1, new BigDecimal("12.340")));
            echo(c, out, "uuid", "uuid",
                    ps -> ps.setObject(1, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")));
        });
    }

    @FunctionalInterface
    interface Setter {
        void set(PreparedStatement ps) throws SQLException;
    }

    /**
     * riffq only: the test server answers a statement containing the
     * comment "/&#42;echo&#42;/" with the parameters its handler received
     * (JSON of [Python type, repr], and the parameter type OIDs); one step
     * per setter.
     */
    private static void echo(Connection c, Out out, String label, String type, Setter setter) {
        out.label = label;
        out.step(() -> {
            try (PreparedStatement ps = c.prepareStatement("select /*echo*/ ?::" + type)) {
                setter.set(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new SQLException("echo returned no row", "XXECH");
                    out.emit("\"args\":" + Json.str(rs.getString(1))
                            + ",\"types\":" + Json.str(rs.getString(2)));
                }
            }
        });
        out.label = null;
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps, int k) throws SQLException;
    }

    /** Runs one PreparedStatement 7 times (past prepareThreshold=5). */
    private static void repeat(Connection c, Out out, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 1; k <= 7; k++) {
                final int run = k;
                out.step(() -> {
                    binder.bind(ps, run);
                    try (ResultSet rs = ps.executeQuery()) {
                        out.rows(rs);
                    }
                });
            }
        }
    }

    // ---- output -----------------------------------------------------------

    /** Prints the JSON lines of one case; numbers its steps. */
    static final class Out {
        private final String name;
        private int step;
        /** Added to every line while set (echo steps). */
        String label;

        Out(String name) {
            this.name = name;
        }

        void emit(String body) {
            String l = label == null ? "" : ",\"label\":" + Json.str(label);
            System.out.println("{\"case\":" + Json.str(name) + ",\"step\":" + step + l + "," + body + "}");
        }

        /** Runs a step; an SQLException becomes an error line, not the end of the case. */
        void step(Step s) {
            step++;
            try {
                s.run();
            } catch (SQLException e) {
                emit("\"error\":" + Json.err(e));
            }
        }

        void update(int count) {
            emit("\"update\":" + count);
        }

        void rows(ResultSet rs) throws SQLException {
            ResultSetMetaData md = rs.getMetaData();
            // 0 text, 1 binary: pgjdbc asks for binary results of the types
            // it can read once a statement is named (prepareThreshold).
            PGResultSetMetaData pgmd = md.unwrap(PGResultSetMetaData.class);
            int n = md.getColumnCount();
            StringBuilder cols = new StringBuilder("[");
            for (int i = 1; i <= n; i++) {
                if (i > 1) cols.append(',');
                cols.append("{\"label\":").append(Json.str(md.getColumnLabel(i)))
                        .append(",\"type\":").append(md.getColumnType(i))
                        .append(",\"typeName\":").append(Json.str(md.getColumnTypeName(i)))
                        .append(",\"format\":").append(pgmd.getFormat(i))
                        .append('}');
            }
            cols.append(']');
            StringBuilder rows = new StringBuilder("[");
            boolean firstRow = true;
            while (rs.next()) {
                if (!firstRow) rows.append(',');
                firstRow = false;
                rows.append('[');
                for (int i = 1; i <= n; i++) {
                    if (i > 1) rows.append(',');
                    rows.append(cell(rs, i));
                }
                rows.append(']');
            }
            rows.append(']');
            emit("\"columns\":" + cols + ",\"rows\":" + rows);
        }

        /** [class of getObject, its text, getString] of one value. */
        private static String cell(ResultSet rs, int i) throws SQLException {
            Object o = rs.getObject(i);
            String s = rs.getString(i);
            String cls = o == null ? null : o.getClass().getName();
            return "[" + Json.str(cls) + "," + Json.str(render(o)) + "," + Json.str(s) + "]";
        }

        private static String render(Object o) throws SQLException {
            if (o == null) return null;
            if (o instanceof byte[]) return hex((byte[]) o);
            if (o instanceof BigDecimal) return ((BigDecimal) o).toPlainString();
            if (o instanceof Array) {
                Object arr = ((Array) o).getArray();
                if (arr instanceof Object[]) {
                    Object[] items = (Object[]) arr;
                    StringBuilder b = new StringBuilder("[");
                    for (int i = 0; i < items.length; i++) {
                        if (i > 0) b.append(", ");
                        Object it = items[i];
                        b.append(it == null ? "null" : it.getClass().getSimpleName() + ":" + it);
                    }
                    return b.append(']').toString();
                }
                return String.valueOf(arr);
            }
            return o.toString();
        }

        private static String hex(byte[] b) {
            StringBuilder s = new StringBuilder("\\x");
            for (byte x : b) s.append(String.format("%02x", x & 0xff));
            return s.toString();
        }
    }

    /** Just enough JSON writing for the lines above. */
    static final class Json {
        static String str(String s) {
            if (s == null) return "null";
            StringBuilder b = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                        else b.append(ch);
                }
            }
            return b.append('"').toString();
        }

        static String err(SQLException e) {
            return "{\"sqlstate\":" + str(e.getSQLState()) + ",\"message\":" + str(e.getMessage()) + "}";
        }
    }
}
