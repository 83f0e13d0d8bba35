/**
 * The limits every GraphQL document must keep, the same over HTTP and
 * WebSocket: depth, aliases and estimated cost (GraphQL Armor's validation
 * rules), lexical tokens (graphql-js's own parser limit), and introspection
 * when it is off. Defaults (README, Security) let the playground's examples
 * and GraphiQL's own introspection query through with room to spare.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from '../config';

/** Armor prefixes its messages as if they were syntax errors; they are validation failures. */
const ARMOR_PREFIX = /^Syntax Error: /;

/** Reports a rule's refusal as a validation error (graphql-js collects them) instead of throwing out of validate(). */
function reportTo(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new GraphQLError(error.message.replace(ARMOR_PREFIX, ''), { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
}

/**
 * Validation rules to run after graphql-js's specified rules.
 * @param introspection - false adds the rule that refuses `__schema` / `__type`.
 */
export function limitRules(limits: QueryLimits, introspection: boolean): ValidationRule[] {
  const reject = { onReject: [reportTo], propagateOnRejection: false, exposeLimits: true };
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...reject }),
    maxAliasesRule({ n: limits.maxAliases, ...reject }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, flattenFragments: true, ...reject }),
  ];
  if (!introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** Parser options: the token limit stops a huge document while it is being read, before any validation. */
export function parseOptions(limits: QueryLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}
