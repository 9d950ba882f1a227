package dev.pgcorral.common.web;

import java.lang.annotation.Annotation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every API error as {@code application/problem+json}: our {@link ApiException}s, and Spring MVC's
 * own as 4xx problems whose {@code detail} says what to change. Rejected inputs (failed validation of
 * a body, a query parameter or a path variable; a value of the wrong type; unreadable JSON) also come
 * as {@code errors: [{field, message, rejected}]}, see {@link InvalidField}.
 */
@RestControllerAdvice
public class ProblemHandling extends ResponseEntityExceptionHandler {

    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(int.class, Integer.class, long.class, Long.class,
            short.class, Short.class, byte.class, Byte.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(double.class, Double.class, float.class, Float.class, BigDecimal.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        return ResponseEntity.status(e.status()).body(e.toProblem());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<InvalidField> fields = new ArrayList<>(fieldsOf(ex.getBindingResult().getFieldErrors()));
        for (ObjectError global : ex.getBindingResult().getGlobalErrors()) {
            fields.add(new InvalidField(global.getObjectName(), global.getDefaultMessage(), null));
        }
        return invalid(ex, fields, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex, HttpHeaders headers,
                                                                            HttpStatusCode status, WebRequest request) {
        List<InvalidField> fields = new ArrayList<>();
        for (ParameterValidationResult result : ex.getParameterValidationResults()) {
            if (result instanceof ParameterErrors errors) {
                fields.addAll(fieldsOf(errors.getFieldErrors()));
                continue;
            }
            String name = nameOf(result.getMethodParameter());
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                fields.add(new InvalidField(name, error.getDefaultMessage(), result.getArgument()));
            }
        }
        return invalid(ex, fields, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status,
                                                        WebRequest request) {
        String name = ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
        boolean tooLarge = WHOLE_NUMBERS.contains(ex.getRequiredType()) && ex.getValue() instanceof String v && v.matches("[+-]?\\d+");
        InvalidField field = new InvalidField(name == null ? "value" : name, tooLarge ? "is out of range" : expectation(ex.getRequiredType()),
                ex.getValue());
        return invalid(ex, List.of(field), headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        return invalid(ex, List.of(new InvalidField(ex.getParameterName(), "is required", null)), headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        JacksonException json = jacksonCause(ex);
        if (json == null) {
            String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
                    ? "the request body is empty: it must be a JSON object"
                    : "the request body could not be read";
            return problem(ex, detail, headers, status, request);
        }
        String path = pathOf(json);
        if (path.isEmpty()) {
            String detail = json instanceof MismatchedInputException
                    ? "the body must be a JSON object"
                    : "the body is not valid JSON: " + readerWords(json) + where(json.getLocation());
            return problem(ex, detail, headers, status, request);
        }
        InvalidField field;
        if (json instanceof UnrecognizedPropertyException unknown) { // where the reader refuses keys it does not know
            String keys = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().collect(Collectors.joining(", "));
            field = new InvalidField(path, keys.isEmpty() ? "is not a key of this call, which takes none"
                    : "is not a key of this call: it takes " + keys, null);
        } else if (json instanceof InvalidFormatException format) {
            field = new InvalidField(path, numberRule(format.getTargetType(), format.getValue()), format.getValue());
        } else if (json instanceof MismatchedInputException mismatch) {
            field = new InvalidField(path, expectation(mismatch.getTargetType()), null);
        } else if (json instanceof InputCoercionException coercion) {
            field = new InvalidField(path, range(coercion.getTargetType()), null);
        } else {
            field = new InvalidField(path, "could not be read: " + json.getOriginalMessage(), null);
        }
        return invalid(ex, List.of(field), headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException ex, HttpHeaders headers,
                                                                    HttpStatusCode status, WebRequest request) {
        return problem(ex, "no endpoint " + ex.getHttpMethod() + " " + pathOf(request), headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException ex,
                                                                         HttpHeaders headers, HttpStatusCode status,
                                                                         WebRequest request) {
        String allowed = ex.getSupportedHttpMethods() == null ? "" : "; allowed: "
                + ex.getSupportedHttpMethods().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
        return problem(ex, ex.getMethod() + " is not allowed on " + pathOf(request) + allowed, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex, HttpHeaders headers,
                                                                     HttpStatusCode status, WebRequest request) {
        String supported = ex.getSupportedMediaTypes().stream().map(MediaType::toString).collect(Collectors.joining(" or "));
        String sent = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String detail = ex.getContentType() != null
                ? "Content-Type " + ex.getContentType().getType() + "/" + ex.getContentType().getSubtype()
                  + " is not supported here; send " + supported
                : sent == null || sent.isBlank() ? "a Content-Type header is required: " + supported
                : "the Content-Type header is not valid or not supported; send " + supported;
        return problem(ex, detail, headers, status, request);
    }

    private ResponseEntity<Object> problem(Exception ex, String detail, HttpHeaders headers, HttpStatusCode status,
                                           WebRequest request) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        return handleExceptionInternal(ex, body, headers, status, request);
    }

    private ResponseEntity<Object> invalid(Exception ex, List<InvalidField> fields, HttpHeaders headers, HttpStatusCode status,
                                           WebRequest request) {
        List<InvalidField> sorted = fields.stream()
                .sorted(Comparator.comparing(InvalidField::field).thenComparing(f -> String.valueOf(f.message())))
                .toList();
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status,
                sorted.isEmpty() ? "the request is not valid" : InvalidField.detail(sorted));
        body.setProperty("errors", sorted.stream().map(InvalidField::toMap).toList());
        return handleExceptionInternal(ex, body, headers, status, request);
    }

    private static List<InvalidField> fieldsOf(List<FieldError> errors) {
        return errors.stream().map(e -> new InvalidField(e.getField(), e.getDefaultMessage(), e.getRejectedValue())).toList();
    }

    /** The name a client uses for a parameter: its {@code @RequestParam} / {@code @PathVariable} name, else the Java one. */
    private static String nameOf(MethodParameter parameter) {
        for (Annotation annotation : parameter.getParameterAnnotations()) {
            String name = annotation instanceof RequestParam p ? p.name()
                    : annotation instanceof PathVariable v ? v.name() : "";
            if (!name.isEmpty()) {
                return name;
            }
        }
        String name = parameter.getParameterName();
        return name == null ? "argument " + parameter.getParameterIndex() : name;
    }

    /**
     * What a value the JSON reader could not take for a field of {@code type} is told: a number past a whole-number field's
     * range ({@code 1e30}) that it is out of range, a whole one written as {@code 1e4} how to write it, else what it must be.
     */
    private static String numberRule(Class<?> type, Object value) {
        if (WHOLE_NUMBERS.contains(type) && value instanceof Number n) {
            double d = n.doubleValue();
            if (!JsonWholeNumbers.fits(type, d)) {
                return range(type);
            }
            if (JsonWholeNumbers.whole(d)) {
                return JsonWholeNumbers.WRITTEN_WHOLE;
            }
        }
        return expectation(type);
    }

    /** What a number too large for its field must be, in words (not the JSON reader's, which names Java types). */
    static String range(Class<?> type) {
        long[] bounds = JsonWholeNumbers.bounds(type);
        return bounds == null ? "is out of range" : "is out of range: it must be a whole number from " + bounds[0] + " to " + bounds[1];
    }

    /** What a value of {@code type} looks like, as a rule: {@code must be a whole number}. */
    static String expectation(Class<?> type) {
        if (type == null) {
            return "has the wrong type";
        }
        if (WHOLE_NUMBERS.contains(type)) {
            return "must be a whole number";
        }
        if (NUMBERS.contains(type)) {
            return "must be a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "must be a string";
        }
        if (type.isEnum()) {
            return "must be one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "must be a list";
        }
        if (type == java.util.UUID.class) {
            return "must be a UUID";
        }
        return "must be a JSON object";
    }

    private static JacksonException jacksonCause(Throwable e) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof JacksonException json) {
                return json;
            }
        }
        return null;
    }

    /** A JSON path as a client reads it: {@code ttlSeconds}, {@code items[2].name}. */
    private static String pathOf(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The parser's words without the reader's internals it may add (where a start marker was, the source's description). */
    private static String readerWords(JacksonException json) {
        String words = json.getOriginalMessage();
        int cut = words.indexOf(" (start marker at");
        return cut < 0 ? words : words.substring(0, cut);
    }

    private static String where(TokenStreamLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String pathOf(WebRequest request) {
        return request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI() : "this path";
    }
}
