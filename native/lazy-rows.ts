/**
 * entries() of a map with scalar keys and values, as an Array whose rows are
 * made when first touched. A million [bigint, bigint] rows cost V8 seconds of
 * allocation under load, several times the batched read itself; most callers
 * look at a few rows, sort, filter or chart them. So the rows stand over the
 * read's own columns (typed-array views, as entriesColumnar() gives) and each
 * [key, value] pair is made on its first read, then kept, so a row is the same
 * object every time. The types are exactly the eager decoder's: a typed
 * array's element is what the codec decodes (bigint for 64-bit integers).
 *
 * It is a Proxy over a real Array: Array.isArray is true, every Array method
 * works (they read and write through the traps), and writes, deletes and
 * length changes behave as on any array. util.inspect looks at the target
 * without the traps, so the target carries an inspect hook that makes every
 * row first. structuredClone refuses proxies: clone `[...rows]`.
 */
import { inspect } from "node:util";

type Scalar = number | bigint;
type ScalarColumn = ArrayLike<Scalar>;

export function isScalarColumn(col: unknown): col is ScalarColumn {
  return ArrayBuffer.isView(col) && !(col instanceof DataView);
}

/** [keys[i], values[i]] rows over two columns of `count` entries. */
export function lazyRows<K, V>(keys: ScalarColumn, values: ScalarColumn, count: number): [K, V][] {
  const target = new Array<[K, V]>(count);
  /** 1 once slot i holds what it should (made, written or deleted): it is never made again. */
  const settled = new Uint8Array(count);
  let pending = count;
  const make = (i: number): void => {
    settled[i] = 1;
    pending--;
    target[i] = [keys[i] as K, values[i] as V];
  };
  const makeAll = (): void => {
    if (pending === 0) return;
    const n = Math.min(count, target.length);
    for (let i = 0; i < n; i++) if (!settled[i]) make(i);
    // Slots past a shortened length are gone: none is made later.
    pending = 0;
    settled.fill(1);
  };
  const index = (prop: string | symbol): number => {
    if (typeof prop !== "string") return -1;
    const c = prop.charCodeAt(0);
    if (c < 48 || c > 57) return -1;
    const i = Number(prop);
    return Number.isInteger(i) && i < count && String(i) === prop ? i : -1;
  };
  const settle = (i: number): void => {
    if (i >= 0 && !settled[i]) {
      settled[i] = 1;
      pending--;
    }
  };
  Object.defineProperty(target, inspect.custom, {
    enumerable: false,
    value(depth: number, options: object) {
      makeAll();
      return inspect([...target], { ...options, depth });
    },
  });
  // for...of, spreading and destructuring take the array's iterator: through
  // the traps every step would be a string-keyed get ("123456"), parsed back
  // to an index. This one reads the target directly, making rows as it goes,
  // and sees pushes, cuts and writes during the walk as the built-in one does.
  const arrayValues = Array.prototype.values;
  const iteratorProto = Object.getPrototypeOf([][Symbol.iterator]()) as object;
  function rowValues(this: unknown): IterableIterator<[K, V]> {
    if (this !== proxy) return arrayValues.call(this as [K, V][]) as IterableIterator<[K, V]>;
    let i = 0;
    const it = Object.create(iteratorProto) as IterableIterator<[K, V]>;
    it.next = () => {
      if (i >= target.length) {
        i = Infinity;
        return { done: true, value: undefined };
      }
      if (i < count && !settled[i]) make(i);
      return { done: false, value: target[i++] };
    };
    return it;
  }
  const proxy: [K, V][] = new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === Symbol.iterator || prop === "values") {
        const own = Reflect.get(t, prop, receiver);
        return own === arrayValues ? rowValues : own;
      }
      const i = index(prop);
      if (i >= 0 && !settled[i] && i < t.length) make(i);
      return Reflect.get(t, prop, receiver);
    },
    set(t, prop, value) {
      const i = index(prop);
      settle(i);
      if (prop === "length" && typeof value === "number" && value < t.length) {
        // Cut rows never come back, even if the array grows again.
        for (let j = value; j < Math.min(count, t.length); j++) settle(j);
      }
      return Reflect.set(t, prop, value);
    },
    deleteProperty(t, prop) {
      settle(index(prop));
      return Reflect.deleteProperty(t, prop);
    },
    has(t, prop) {
      const i = index(prop);
      if (i >= 0 && !settled[i]) return i < t.length;
      return Reflect.has(t, prop);
    },
    getOwnPropertyDescriptor(t, prop) {
      const i = index(prop);
      if (i >= 0 && !settled[i] && i < t.length) make(i);
      return Reflect.getOwnPropertyDescriptor(t, prop);
    },
    ownKeys(t) {
      makeAll();
      return Reflect.ownKeys(t);
    },
    defineProperty(t, prop, desc) {
      settle(index(prop));
      return Reflect.defineProperty(t, prop, desc);
    },
  });
  return proxy;
}
