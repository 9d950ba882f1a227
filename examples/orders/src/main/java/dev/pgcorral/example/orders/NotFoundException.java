package dev.pgcorral.example.orders;

public class NotFoundException extends RuntimeException {

    NotFoundException(String what) {
        super(what + " not found");
    }
}
