/** API Gateway's routing: the most specific route wins; `{param}` matches exactly one non-empty segment. */
import { routeKey, type RouteDefinition } from '../../../shared/contract/routes.js';

export interface CompiledRoute {
  definition: RouteDefinition;
  routeKey: string;
  /** Literal segment text, or null for a `{param}` segment. */
  literals: (string | null)[];
  paramNames: (string | null)[];
}

export interface RouteMatch {
  route: CompiledRoute;
  pathParameters?: Record<string, string>;
}

const compileRoute = (definition: RouteDefinition): CompiledRoute => {
  const segments = definition.path.split('/').slice(1);
  const params = segments.map((s) => /^\{([^{}+]+)\}$/.exec(s)?.[1] ?? null);
  return {
    definition,
    routeKey: routeKey(definition),
    literals: segments.map((s, i) => (params[i] === null ? s : null)),
    paramNames: params,
  };
};

/** Literal segments beat parameters, compared from the left (API Gateway's precedence). */
const bySpecificity = (a: CompiledRoute, b: CompiledRoute): number => {
  for (let i = 0; i < a.literals.length; i++) {
    const aLiteral = a.literals[i] !== null;
    const bLiteral = b.literals[i] !== null;
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
};

export const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Builds a matcher over `routes`: method → segment count → candidates, most specific first. */
export const createRouter = (routes: RouteDefinition[]) => {
  const table = new Map<string, Map<number, CompiledRoute[]>>();
  for (const route of routes.map(compileRoute)) {
    const byLength = table.get(route.definition.method) ?? new Map<number, CompiledRoute[]>();
    const candidates = byLength.get(route.literals.length) ?? [];
    candidates.push(route);
    candidates.sort(bySpecificity);
    byLength.set(route.literals.length, candidates);
    table.set(route.definition.method, byLength);
  }
  return (method: string, rawPath: string): RouteMatch | undefined => {
    const segments = rawPath.split('/');
    segments.shift(); // the path starts with '/'
    const candidates = table.get(method)?.get(segments.length);
    if (!candidates) return undefined;
    candidateLoop: for (const route of candidates) {
      for (let i = 0; i < segments.length; i++) {
        const literal = route.literals[i];
        if (literal !== null ? literal !== segments[i] : segments[i] === '') continue candidateLoop;
      }
      let pathParameters: Record<string, string> | undefined;
      for (let i = 0; i < segments.length; i++) {
        const name = route.paramNames[i];
        if (name !== null) (pathParameters ??= {})[name] = safeDecode(segments[i]);
      }
      return { route, pathParameters };
    }
    return undefined;
  };
};
