namespace Redshifter.Engine.Jobs;

/// <summary>Width of the refresh window, and the unit freshness is compared in (DESIGN.md section 5).</summary>
public enum Granularity { Hour, Day, Stream }
