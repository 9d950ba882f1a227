package dev.pgcorral.lock.client;

/** A test JVM that leases {@code args[1]} databases for marker {@code args[0]}, says so, and holds them until it is killed. */
public final class HoldingJvm {

    public static void main(String[] args) throws InterruptedException {
        LockClient client = LockClient.fromEnvironment();
        StringBuilder held = new StringBuilder("HELD");
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            held.append(' ').append(client.lock(args[0]).database());
        }
        System.out.println(held);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
