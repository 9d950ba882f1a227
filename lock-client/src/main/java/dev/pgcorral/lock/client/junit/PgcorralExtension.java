package dev.pgcorral.lock.client.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.pgcorral.lock.client.Lease;
import dev.pgcorral.lock.client.LockClient;

/**
 * The JUnit Jupiter extension behind {@link PgcorralDatabase}: leases a database from lock-service before each test
 * method (or once before the class's tests), hands it to the test's parameters and fields, and gives it back when the
 * test (or the class) is done. Safe under JUnit's parallel execution: each test's lease lives in that test's own context.
 */
public final class PgcorralExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PgcorralExtension.class);
    private static final String LEASE = "lease";
    private static final String CONNECTIONS = "connections";

    @Override
    public void beforeAll(ExtensionContext context) {
        if (scope(context) == PgcorralDatabase.Scope.CLASS) {
            lease(context); // before the tests: a failure to lease is the class's, with lock-service's own message
        }
        for (Field field : annotatedFields(context.getRequiredTestClass(), true)) {
            if (scope(context) != PgcorralDatabase.Scope.CLASS) {
                throw new ExtensionConfigurationException("static field " + field.getName() + " needs the class's database: "
                        + "annotate the class with @PgcorralDatabase(scope = Scope.CLASS), or make the field an instance field");
            }
            inject(field, null, context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lease(context); // before the test: a failure to lease is reported as it is, not wrapped in a parameter's resolution
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Field field : annotatedFields(instance.getClass(), false)) {
                inject(field, instance, context);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        giveBack(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        giveBack(context);
    }

    /** Closes the connections handed out in {@code context}, then gives its lease back (if it has one of its own). */
    private static void giveBack(ExtensionContext context) throws SQLException {
        try {
            closeConnections(context);
        } finally {
            Lease lease = context.getStore(NAMESPACE).remove(LEASE, Lease.class);
            if (lease != null) {
                lease.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DataSource.class || type == Connection.class || type == Lease.class
                || (type == String.class && parameter.isAnnotated(PgcorralDatabase.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty() && scope(context) != PgcorralDatabase.Scope.CLASS) {
            throw new ParameterResolutionException("parameter " + parameter.getParameter().getName() + " of "
                    + parameter.getDeclaringExecutable().getName() + " runs before or after the class's tests, but each test has a "
                    + "database of its own: use @PgcorralDatabase(scope = Scope.CLASS) to share one, or take it in the test method");
        }
        return value(parameter.getParameter().getType(), context);
    }

    /** What a field or parameter of {@code type} receives in {@code context}. */
    private Object value(Class<?> type, ExtensionContext context) {
        Lease lease = lease(context);
        if (type == Lease.class) {
            return lease;
        }
        if (type == String.class) {
            return lease.jdbcUrl();
        }
        if (type == DataSource.class) {
            return lease.dataSource();
        }
        if (type == Connection.class) {
            return connection(lease, context);
        }
        throw new ExtensionConfigurationException("@PgcorralDatabase fills DataSource, Connection, Lease and String (its JDBC URL), not "
                + type.getName());
    }

    /** The lease of {@code context}: the test method's own, or the class's when the class shares one; leased on first use. */
    private static Lease lease(ExtensionContext context) {
        ExtensionContext owner = scope(context) == PgcorralDatabase.Scope.CLASS ? classContext(context) : context;
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(LEASE, key -> {
            LockClient client = client(context);
            // a class's tests together may take longer than lock-service's auto-unlock time; a method's take the default
            return client.lock(marker(owner), client.settings().lockWait(), scope(context) == PgcorralDatabase.Scope.CLASS ? LockClient.LONG_LIVED : null);
        }, Lease.class);
    }

    private static LockClient client(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(LockClient.class, key -> LockClient.fromEnvironment(),
                LockClient.class);
    }

    private static Connection connection(Lease lease, ExtensionContext context) {
        try {
            Connection connection = lease.dataSource().getConnection();
            connections(context).add(connection);
            return connection;
        } catch (SQLException e) {
            throw new ParameterResolutionException("cannot connect to the leased database " + lease.jdbcUrl() + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Connection> connections(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(CONNECTIONS, key -> new ArrayList<Connection>(), List.class);
    }

    private static void closeConnections(ExtensionContext context) throws SQLException {
        @SuppressWarnings("unchecked")
        List<Connection> open = context.getStore(NAMESPACE).remove(CONNECTIONS, List.class);
        if (open != null) {
            for (Connection connection : open) {
                connection.close();
            }
        }
    }

    /** The test's name, for lock-service's dashboard: {@code Class.method}, with the invocation's name when it differs. */
    static String marker(ExtensionContext context) {
        String className = context.getRequiredTestClass().getName();
        String simple = className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
        Optional<Method> method = context.getTestMethod();
        if (method.isEmpty()) {
            return simple;
        }
        String name = method.get().getName();
        String display = context.getDisplayName();
        boolean plain = display.equals(name) || (display.startsWith(name + "(") && display.endsWith(")")); // JUnit's default name
        String marker = simple + "." + name + (plain ? "" : " " + display);
        return marker.length() <= LockClient.MAX_MARKER_LENGTH ? marker : marker.substring(0, LockClient.MAX_MARKER_LENGTH);
    }

    private static PgcorralDatabase.Scope scope(ExtensionContext context) {
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
            PgcorralDatabase annotation = type.getAnnotation(PgcorralDatabase.class);
            if (annotation != null) {
                return annotation.scope();
            }
        }
        return PgcorralDatabase.Scope.METHOD;
    }

    /** The context of the test class the annotation's scope belongs to (a method's parent, or the class itself). */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    private void inject(Field field, Object instance, ExtensionContext context) {
        try {
            field.setAccessible(true);
            field.set(instance, value(field.getType(), context));
        } catch (IllegalAccessException e) {
            throw new ExtensionConfigurationException("cannot set field " + field.getName() + ": " + e.getMessage());
        }
    }

    private static List<Field> annotatedFields(Class<?> type, boolean statics) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(PgcorralDatabase.class) && Modifier.isStatic(field.getModifiers()) == statics) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }
}
