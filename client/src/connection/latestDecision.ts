/**
 * Overlapping asynchronous decisions where only the newest may take effect: a sign-in check
 * started for settings that have since changed (or overruled by Sign In / Sign Out) answers
 * late and must not overwrite the current state.
 */
export class LatestDecision {
  private generation = 0;

  /** Runs `decide`; `apply` gets its answer only if nothing newer started or was imposed meanwhile. */
  async run<T>(decide: () => Promise<T>, apply: (answer: T) => void): Promise<boolean> {
    const generation = ++this.generation;
    const answer = await decide();
    if (generation !== this.generation) return false;
    apply(answer);
    return true;
  }

  /** Applies a decision now; answers of earlier runs still pending are dropped. */
  impose(apply: () => void): void {
    this.generation++;
    apply();
  }
}
