package dev.pgcorral.lock.client.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

import dev.pgcorral.lock.client.Lease;

/**
 * The database of one {@code jdbc:pgcorral:} URL in this JVM: leased with the first connection, shared by all that are
 * open, and given back when the last one closes (unless the URL keeps it until the JVM exits). Connections handed out
 * are pgjdbc's, wrapped only to see their {@code close()}.
 */
final class SharedLease {

    private final PgcorralUrl url;
    private Lease lease;
    private int open;

    SharedLease(PgcorralUrl url) {
        this.url = url;
    }

    /** A new connection to the URL's database, leasing one first if none is held. */
    Connection connect(LeaseSource source) throws SQLException {
        Lease current;
        synchronized (this) {
            if (lease == null || !lease.held()) {
                lease = source.lock(url);
            }
            current = lease;
            open++;
        }
        try {
            Connection connection = current.dataSource().getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    new Closing(connection));
        } catch (SQLException | RuntimeException e) {
            closed();
            throw e;
        }
    }

    private synchronized void closed() {
        open--;
        if (open == 0 && !url.keep() && lease != null) {
            lease.close();
            lease = null;
        }
    }

    /** Leases a database for a URL; the driver's, or a test's. */
    interface LeaseSource {
        Lease lock(PgcorralUrl url) throws SQLException;
    }

    /** Passes every call on; the first {@code close()} also counts the connection out. */
    private final class Closing implements InvocationHandler {
        private final Connection target;
        private boolean closed;

        Closing(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    break;
            }
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try {
                    target.close();
                } finally {
                    countOut();
                }
                return null;
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private void countOut() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            closed();
        }
    }
}
