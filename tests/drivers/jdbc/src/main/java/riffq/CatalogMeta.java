package riffq;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgjdbc DatabaseMetaData probe for riffq's catalog-emulation tests
 * (tests/test_catalog_clients.py).
 *
 * <pre>java riffq.CatalogMeta JDBC_URL [CASE...]</pre>
 *
 * Each case (all when none is named) runs on a fresh connection and prints
 * one JSON object per line: {"case": name, "row": {column: value-as-text}}
 * for every row of the metadata result set, or {"case": name, "error":
 * {"sqlstate", "message"}}. The test runs it against riffq and against
 * PostgreSQL 15 holding the same schema (tests/catalog/fixture.py), sorts
 * the rows of each case and compares them.
 */
public final class CatalogMeta {

    /** A case: reads metadata from a connection and prints its rows. */
    @FunctionalInterface
    interface Case {
        void run(Connection c, Out out) throws SQLException;
    }

    private static final String[] TABLES = {"public.products", "sales.customers", "sales.orders"};
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("catalogs", (c, o) -> o.rows(c.getMetaData().getCatalogs()));
        CASES.put("schemas", (c, o) -> o.rows(c.getMetaData().getSchemas()));
        CASES.put("schemas_pattern", (c, o) -> o.rows(c.getMetaData().getSchemas(null, "sal%")));
        CASES.put("table_types", (c, o) -> o.rows(c.getMetaData().getTableTypes()));
        CASES.put("tables", (c, o) ->
            o.rows(c.getMetaData().getTables(null, null, "%", new String[] {"TABLE", "VIEW"})));
        CASES.put("tables_sales", (c, o) -> o.rows(c.getMetaData().getTables(null, "sales", "%", null)));
        CASES.put("columns", (c, o) -> {
            DatabaseMetaData md = c.getMetaData();
            o.rows(md.getColumns(null, "public", "%", "%"));
            o.rows(md.getColumns(null, "sales", "%", "%"));
        });
        CASES.put("primary_keys", (c, o) -> {
            for (String t : TABLES) o.rows(c.getMetaData().getPrimaryKeys(null, schema(t), name(t)));
        });
        CASES.put("imported_keys", (c, o) ->
            o.rows(c.getMetaData().getImportedKeys(null, "sales", "orders")));
        CASES.put("exported_keys", (c, o) ->
            o.rows(c.getMetaData().getExportedKeys(null, "sales", "customers")));
        CASES.put("cross_reference", (c, o) ->
            o.rows(c.getMetaData().getCrossReference(null, "sales", "customers", null, "sales", "orders")));
        CASES.put("index_info", (c, o) -> {
            for (String t : TABLES) {
                o.rows(c.getMetaData().getIndexInfo(null, schema(t), name(t), false, true));
            }
        });
        CASES.put("unique_index_info", (c, o) ->
            o.rows(c.getMetaData().getIndexInfo(null, "sales", "customers", true, false)));
        CASES.put("type_info", (c, o) -> o.rows(c.getMetaData().getTypeInfo()));
        CASES.put("functions", (c, o) -> o.rows(c.getMetaData().getFunctions(null, "pg_catalog", "lower")));
        CASES.put("database_info", CatalogMeta::databaseInfo);
        CASES.put("result_metadata", CatalogMeta::resultMetadata);
    }

    private CatalogMeta() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CatalogMeta JDBC_URL [CASE...]");
            System.exit(2);
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i < args.length; i++) names.add(args[i]);
        if (names.isEmpty()) names.addAll(CASES.keySet());
        for (String name : names) {
            Out out = new Out(name);
            Case k = CASES.get(name);
            if (k == null) {
                out.line("\"fatal\":" + str("unknown case"));
                continue;
            }
            try (Connection c = DriverManager.getConnection(args[0])) {
                k.run(c, out);
            } catch (SQLException e) {
                out.error(e);
            } catch (RuntimeException e) {
                out.line("\"fatal\":" + str(e.toString()));
            }
        }
        System.out.flush();
    }

    private static String schema(String qualified) {
        return qualified.substring(0, qualified.indexOf('.'));
    }

    private static String name(String qualified) {
        return qualified.substring(qualified.indexOf('.') + 1);
    }

    /** DatabaseMetaData scalars that pgjdbc reads from the server. */
    private static void databaseInfo(Connection c, Out o) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Map<String, String> row = new LinkedHashMap<>();
        row.put("product", md.getDatabaseProductName());
        row.put("major", String.valueOf(md.getDatabaseMajorVersion()));
        row.put("user", md.getUserName());
        row.put("catalog", c.getCatalog());
        row.put("schema", c.getSchema());
        row.put("max_name_length", String.valueOf(md.getMaxTableNameLength()));
        row.put("sql_keywords", md.getSQLKeywords());
        row.put("identifier_quote", md.getIdentifierQuoteString());
        row.put("read_only", String.valueOf(md.isReadOnly()));
        o.row(row);
    }

    /**
     * ResultSetMetaData of a data query: column types come from the
     * RowDescription, nullability / base names from pgjdbc's own catalog
     * query keyed by the table OID + attnum the server sent.
     */
    private static void resultMetadata(Connection c, Out o) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM sales.orders WHERE order_id < 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("index", String.valueOf(i));
                row.put("label", md.getColumnLabel(i));
                row.put("type", String.valueOf(md.getColumnType(i)));
                row.put("type_name", md.getColumnTypeName(i));
                row.put("class", md.getColumnClassName(i));
                row.put("nullable", String.valueOf(md.isNullable(i)));
                row.put("precision", String.valueOf(md.getPrecision(i)));
                row.put("scale", String.valueOf(md.getScale(i)));
                row.put("table", md.getTableName(i));
                row.put("schema", md.getSchemaName(i));
                row.put("auto_increment", String.valueOf(md.isAutoIncrement(i)));
                o.row(row);
            }
        }
    }

    /** Prints JSON lines for one case. */
    static final class Out {
        private final String name;

        Out(String name) {
            this.name = name;
        }

        void line(String body) {
            System.out.println("{\"case\":" + str(name) + "," + body + "}");
        }

        void row(Map<String, String> row) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<String, String> e : row.entrySet()) {
                if (sb.length() > 1) sb.append(',');
                sb.append(str(e.getKey())).append(':').append(e.getValue() == null ? "null" : str(e.getValue()));
            }
            line("\"row\":" + sb.append('}'));
        }

        /** Every row of a metadata result set, all columns as getString text. */
        void rows(ResultSet rs) throws SQLException {
            try (ResultSet r = rs) {
                ResultSetMetaData md = r.getMetaData();
                while (r.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), r.getString(i));
                    }
                    row(row);
                }
            }
        }

        void error(SQLException e) {
            line("\"error\":{\"sqlstate\":" + str(e.getSQLState()) + ",\"message\":" + str(e.getMessage()) + "}");
        }
    }

    static String str(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
                    else sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }
}
