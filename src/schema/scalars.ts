/**
 * The contract's scalars, taken from graphql-scalars rather than written here:
 * DateTime (ISO-8601 strings) and SafeInt (integers up to 2^53-1: bytes, counts).
 */
import { GraphQLDateTime, GraphQLSafeInt } from 'graphql-scalars';

export const DateTimeScalar = GraphQLDateTime;
export const SafeIntScalar = GraphQLSafeInt;
